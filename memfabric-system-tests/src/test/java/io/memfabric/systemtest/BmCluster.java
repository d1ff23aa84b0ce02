package io.memfabric.systemtest;

import io.memfabric.common.CloseHelper;
import io.memfabric.memory.MemoryConfig;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.testsupport.RankProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The test side of a BigMemory system test: a store (started here, or left to a process of the cluster: rank 0, or
 * a store process), a private shared-memory directory for the ranks' slot files (so the test can watch them and never
 * touches anything else on the host), and the JVMs ({@link BmRankMain}, or another main class such as an example's).
 * Closing it kills the processes that still run, stops the store and removes the directory.
 */
final class BmCluster implements AutoCloseable {
    private final String testName;
    private final StoreServer server;
    private final String url;
    private final Path shmDir;
    private final Duration heartbeat;
    private final List<RankProcess> ranks = new ArrayList<>();

    private BmCluster(String testName, StoreServer server, String url, Duration heartbeat) {
        this.testName = testName;
        this.server = server;
        this.url = url;
        this.heartbeat = heartbeat;
        try {
            this.shmDir = Files.createTempDirectory(Path.of(MemoryConfig.SHM_DIR_DEFAULT), "mfbm-");
        } catch (IOException e) {
            CloseHelper.quietClose(server);
            throw new UncheckedIOException(e);
        }
    }

    /** A cluster whose store the test JVM starts on an ephemeral port. */
    static BmCluster withStore(String testName, Duration heartbeat) {
        StoreServer server = StoreServer.start(StoreServerOptions.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).heartbeatPeriod(heartbeat).build());
        return new BmCluster(testName, server, server.url().toString(), heartbeat);
    }

    /** A cluster whose store one of its processes starts at {@code url} (a rank by BigMemory's embedded-store rule). */
    static BmCluster withoutStore(String testName, String url, Duration heartbeat) {
        return new BmCluster(testName, null, url, heartbeat);
    }

    String url() {
        return url;
    }

    Path shmDir() {
        return shmDir;
    }

    /**
     * Starts a rank ({@link BmRankMain}).
     *
     * @param name       names its log files
     * @param properties system properties of the rank (e.g. a forced route, a host id)
     * @param args       {@code <worldSize> <mode> <members> [targets]} (the store URL goes first by itself)
     */
    RankProcess start(String name, Map<String, String> properties, String... args) {
        return start(BmRankMain.class, name, properties, args);
    }

    /**
     * Starts a process of the cluster that runs {@code mainClass} with the store URL as its first argument, slot
     * files in the cluster's directory, and the rank heartbeat setting of {@link BmRankMain}.
     *
     * @param args the arguments after the store URL
     */
    RankProcess start(Class<?> mainClass, String name, Map<String, String> properties, String... args) {
        Map<String, String> all = new LinkedHashMap<>(properties);
        all.put(MemoryConfig.SHM_DIR_PROP, shmDir.toString());
        all.put(BmRankMain.HEARTBEAT_PROP, Long.toString(heartbeat.toMillis()));
        RankProcess.Builder builder = RankProcess.builder(mainClass).testName(testName).name(name);
        builder.args(url);
        builder.args(args);
        all.forEach(builder::property);
        RankProcess rank = builder.start();
        ranks.add(rank);
        return rank;
    }

    /** @return the names of the slot files in the cluster's directory. */
    List<String> slotFiles() {
        try (Stream<Path> files = Files.list(shmDir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        ranks.forEach(RankProcess::close);
        CloseHelper.quietClose(server);
        try (Stream<Path> files = Files.walk(shmDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
