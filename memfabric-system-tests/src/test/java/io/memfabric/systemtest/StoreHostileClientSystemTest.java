package io.memfabric.systemtest;

import io.memfabric.cli.MemFabricCommand;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.testsupport.FreePorts;
import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code memfabric store} as a hostile client finds it (D1, D2), measured as the issue measured it: the resident set
 * of the store process. A client that pipelines many GETs of a large value and never reads, and clients that send
 * half of a huge frame without authenticating, must not grow the store by more than a bounded amount, and real
 * clients are served meanwhile.
 */
@Timeout(180)
class StoreHostileClientSystemTest {
    private static final Duration START = Duration.ofSeconds(60);
    /** The store's JVM: heap and direct memory large enough to hold what an unbounded store would pile up. */
    private static final String[] STORE_JVM = {"-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"};
    private static final long GROWTH_BOUND_BYTES = 200L << 20;

    private static RankProcess startStore(TestInfo info, String url, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("store", "--listen", url));
        args.addAll(List.of(extraArgs));
        RankProcess store = RankProcess.builder(MemFabricCommand.class).name("store")
                .testName(info.getTestMethod().orElseThrow().getName()).jvmFlags(STORE_JVM)
                .args(args.toArray(new String[0])).start();
        store.awaitLine(Pattern.compile("memfabric store listening on " + Pattern.quote(url)), START);
        return store;
    }

    @Test
    void aClientThatPipelinesLargeGetsAndNeverReadsDoesNotGrowTheStore(TestInfo info) throws Exception {
        int port = FreePorts.next();
        String url = "tcp://127.0.0.1:" + port;
        byte[] value = new byte[24 << 20];
        Arrays.fill(value, (byte) 7);
        try (RankProcess store = startStore(info, url);
             StoreClient client = StoreClient.connect(StoreUrl.parse(url))) {
            client.set("big", value);
            assertArrayEquals(value, client.get("big"));
            long baseline = residentBytes(store.pid());
            long peak = 0;
            try (Socket hostile = new Socket()) {
                hostile.setReceiveBufferSize(64 << 10);
                hostile.connect(new InetSocketAddress("127.0.0.1", port));
                OutputStream out = hostile.getOutputStream();
                byte[] get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 40; i++) {
                    out.write(get);
                }
                out.flush();
                long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                while (System.nanoTime() < end) {
                    client.set("alive", "yes".getBytes(StandardCharsets.US_ASCII));
                    peak = Math.max(peak, residentBytes(store.pid()) - baseline);
                    Thread.sleep(50);
                }
            }
            assertArrayEquals(value, client.get("big"), "served whole to a client that reads");
            System.err.println("store RSS growth for 40 pipelined GETs of 24 MiB never read: " + (peak >> 20) + " MiB");
            assertTrue(peak < GROWTH_BOUND_BYTES, "the store grew by " + (peak >> 20) + " MiB (expected: < "
                    + (GROWTH_BOUND_BYTES >> 20) + " MiB; unbounded it would be 960 MiB)");
        }
    }

    @Test
    void unauthenticatedHalfSentHugeFramesDoNotGrowTheStore(TestInfo info, @TempDir Path dir) throws Exception {
        int port = FreePorts.next();
        String url = "tcp://127.0.0.1:" + port;
        Path secretFile = dir.resolve("secret");
        Files.writeString(secretFile, "hostile-test-secret\n");
        try (RankProcess store = startStore(info, url, "--auth-file", secretFile.toString());
             StoreClient client = StoreClient.connect(StoreClientOptions.builder(StoreUrl.parse(url))
                     .authSecret("hostile-test-secret").build())) {
            long baseline = residentBytes(store.pid());
            long peak = 0;
            List<Socket> sockets = new ArrayList<>();
            try {
                byte[] header = ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (60 << 20) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] half = new byte[16 << 20];
                for (int i = 0; i < 24; i++) {
                    Socket socket = new Socket("127.0.0.1", port);
                    sockets.add(socket);
                    try {
                        socket.getOutputStream().write(header);
                        socket.getOutputStream().write(half);
                    } catch (IOException refused) {
                        // the store answered the header and closed the connection
                    }
                    client.set("alive", "yes".getBytes(StandardCharsets.US_ASCII));
                    peak = Math.max(peak, residentBytes(store.pid()) - baseline);
                }
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            System.err.println("store RSS growth for 24 unauthenticated half-sent 60 MiB frames: " + (peak >> 20)
                    + " MiB");
            assertTrue(peak < GROWTH_BOUND_BYTES, "the store grew by " + (peak >> 20) + " MiB (expected: < "
                    + (GROWTH_BOUND_BYTES >> 20) + " MiB; unbounded it would be 384 MiB)");
        }
    }

    /** @return the resident set of process {@code pid}, from {@code /proc/<pid>/status} (Linux). */
    private static long residentBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }
}
