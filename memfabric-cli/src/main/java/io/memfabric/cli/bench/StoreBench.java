package io.memfabric.cli.bench;

import io.memfabric.common.CloseHelper;
import io.memfabric.group.GroupEngine;
import io.memfabric.group.GroupOptions;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code memfabric bench store}: the config store's figures. Starts a store in this JVM on a free port, then measures
 * <ol>
 *   <li>SET/GET ops/s under {@code redis-benchmark} (50 clients, plain and {@code -P 16}) against this store and a
 *       {@code redis-server}, taking turns in the same run, through {@code shared/bench/peers.sh redis --target-port};
 *       </li>
 *   <li>SET/GET ops/s of memfabric's own Java client (50 clients, one connection each; and 50 threads sharing one
 *       pipelined connection);</li>
 *   <li>barrier latency p50/p99 for 2 to 64 ranks (each rank its own client and group engine, threads of this JVM);
 *       </li>
 *   <li>1024 simulated ranks (each its own client, already connected): rank assignment plus one allgather of 64 B,
 *       from the first request to the last rank holding the result.</li>
 * </ol>
 */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = "Config store figures: SET/GET ops/s against redis-server, barrier latency, 1024-rank "
                + "assignment + allgather.")
final class StoreBench implements Callable<Integer> {
    @Option(names = "--clients", defaultValue = "50", description = "Clients of the SET/GET tests (default: 50).")
    int clients;

    @Option(names = "--ops", defaultValue = "200000", description = "Operations per SET/GET test (default: 200000).")
    int ops;

    @Option(names = "--ranks", split = ",", defaultValue = "2,4,8,16,32,64",
            description = "Rank counts of the barrier test (default: 2,4,8,16,32,64).")
    int[] barrierRanks;

    @Option(names = "--rounds", defaultValue = "200", description = "Barrier rounds per rank count (default: 200).")
    int rounds;

    @Option(names = "--sim-ranks", defaultValue = "1024",
            description = "Simulated ranks of the assignment + allgather test (default: 1024; 0 skips it).")
    int simRanks;

    @Option(names = "--peers", description = "Path of shared/bench/peers.sh (default: ../shared/bench/peers.sh "
            + "beside the repository); 'none' skips the redis-benchmark comparison.")
    String peers;

    @Option(names = "--quick", description = "Pass --quick to peers.sh (fewer repetitions).")
    boolean quick;

    @Option(names = "--only", split = ",", description = "Run only these parts: redis, client, barrier, ranks.")
    List<String> only;

    @Option(names = "--json", description = "Print JSON Lines (one object per result row) instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        BenchReport report = new BenchReport("store");
        StoreServerOptions serverOptions = StoreServerOptions.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).build();
        try (StoreServer server = StoreServer.start(serverOptions)) {
            StoreUrl url = server.url();
            progress("store listening on " + url);
            if (selected("redis")) {
                redisBenchmark(report, server.localAddress().getPort());
            }
            if (selected("client")) {
                javaClientThroughput(report, url);
            }
            if (selected("barrier")) {
                for (int n : barrierRanks) {
                    barrierLatency(report, url, n);
                }
            }
            if (selected("ranks") && simRanks > 0) {
                rankAssignmentAndAllGather(report, url, simRanks);
            }
        }
        if (json) {
            report.printJson(System.out);
        } else {
            report.printTable(System.out);
        }
        return 0;
    }

    private boolean selected(String part) {
        return only == null || only.contains(part);
    }

    private static void progress(String line) {
        System.err.println("bench store: " + line);
    }

    // ------------------------------------------------------------------ redis-benchmark through peers.sh

    private void redisBenchmark(BenchReport report, int port) throws Exception {
        Path script = PeerReferences.locate(peers);
        if (script == null) {
            report.row("redis-benchmark").put("note", "skipped: peers.sh not found (use --peers PATH)");
            return;
        }
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), "redis", "--target-port",
                String.valueOf(port)));
        if (quick) {
            command.add("--quick");
        }
        progress("running " + String.join(" ", command) + " (redis-server and this store take turns)");
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Double> reference = new HashMap<>();
        Map<String, double[]> target = new HashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.startsWith("redis ")) {
                    continue;
                }
                Map<String, String> f = PeerReferences.fields(line);
                String key = f.get("op") + " P=" + f.get("pipeline");
                if (f.containsKey("unavailable")) {
                    report.row("redis-benchmark").put("note", line);
                } else if (f.containsKey("target")) {
                    target.put(key, new double[] {parse(f.get("rps")), parse(f.get("ratio"))});
                } else if (f.containsKey("rps")) {
                    reference.put(key, parse(f.get("rps")));
                }
            }
        }
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        for (String key : List.of("SET P=1", "GET P=1", "SET P=16", "GET P=16")) {
            double[] t = target.get(key);
            Double ref = reference.get(key);
            report.row("redis-benchmark " + key).put("clients", 50)
                    .put("memfabricOps", t == null ? null : t[0])
                    .put("redisOps", ref)
                    .put("ratio", t == null ? null : t[1]);
        }
    }

    private static double parse(String s) {
        return s == null ? Double.NaN : Double.parseDouble(s);
    }

    // ------------------------------------------------------------------ the Java client

    private void javaClientThroughput(BenchReport report, StoreUrl url) throws Exception {
        byte[] value = "xxx".getBytes(StandardCharsets.US_ASCII);
        int perClient = Math.max(1, ops / clients);
        List<StoreClient> own = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                own.add(StoreClient.connect(url));
            }
            for (String op : List.of("SET", "GET")) {
                double seconds = runClients(clients, i -> {
                    StoreClient c = own.get(i);
                    for (int k = 0; k < perClient; k++) {
                        String key = "key:" + (k % 10000);
                        if (op.equals("SET")) {
                            c.set(key, value);
                        } else {
                            c.get(key);
                        }
                    }
                });
                report.row("java client " + op + " (connection per client)").put("clients", clients)
                        .put("memfabricOps", perClient * (double) clients / seconds);
            }
        } finally {
            CloseHelper.closeAll(own.toArray(new AutoCloseable[0]));
        }
        try (StoreClient shared = StoreClient.connect(url)) {
            for (String op : List.of("SET", "GET")) {
                double seconds = runClients(clients, i -> {
                    for (int k = 0; k < perClient; k++) {
                        String key = "key:" + (k % 10000);
                        if (op.equals("SET")) {
                            shared.set(key, value);
                        } else {
                            shared.get(key);
                        }
                    }
                });
                report.row("java client " + op + " (threads share one pipelined connection)").put("clients", clients)
                        .put("memfabricOps", perClient * (double) clients / seconds);
            }
        }
    }

    /** A task of one simulated client or rank. */
    @FunctionalInterface
    private interface RankTask {
        void run(int index) throws Exception;
    }

    /** Runs {@code n} tasks on their own threads, all released together; returns the wall time in seconds. */
    private static double runClients(int n, RankTask task) throws Exception {
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            threads.add(Thread.ofVirtual().name("bench-rank-" + i).start(() -> {
                ready.countDown();
                try {
                    go.await();
                    task.run(index);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("bench task failed: " + failure.get(), failure.get());
        }
        return seconds;
    }

    // ------------------------------------------------------------------ barrier latency

    private void barrierLatency(BenchReport report, StoreUrl url, int n) throws Exception {
        progress("barrier latency, " + n + " ranks x " + rounds + " rounds");
        List<StoreClient> stores = new ArrayList<>();
        List<GroupEngine> engines = new ArrayList<>();
        long[][] latencies = new long[n][rounds];
        try {
            for (int r = 0; r < n; r++) {
                StoreClient store = StoreClient.connect(url);
                stores.add(store);
                engines.add(GroupEngine.open(store, GroupOptions.builder().name("bench-barrier-" + n)
                        .namespace("bench/barrier/" + n + "/").worldSize(n).rank(r).build()));
            }
            String key = "b" + n;
            runClients(n, i -> {
                GroupEngine engine = engines.get(i);
                for (int round = 0; round < 5; round++) {
                    engine.barrier(key, n); // warm-up
                }
                for (int round = 0; round < rounds; round++) {
                    long t0 = System.nanoTime();
                    engine.barrier(key, n);
                    latencies[i][round] = System.nanoTime() - t0;
                }
            });
        } finally {
            CloseHelper.closeAll(engines.toArray(new AutoCloseable[0]));
            CloseHelper.closeAll(stores.toArray(new AutoCloseable[0]));
        }
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        report.row("barrier").put("ranks", n).put("rounds", rounds)
                .put("p50Us", all[all.length / 2] / 1e3)
                .put("p99Us", all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e3);
    }

    // ------------------------------------------------------------------ 1024 ranks

    private void rankAssignmentAndAllGather(BenchReport report, StoreUrl url, int n) throws Exception {
        progress(n + " simulated ranks: connecting");
        List<StoreClient> stores = new ArrayList<>();
        GroupEngine[] engines = new GroupEngine[n];
        try {
            StoreClientOptions options = StoreClientOptions.builder(url).requestTimeout(Duration.ofSeconds(120))
                    .build();
            for (int i = 0; i < n; i++) {
                stores.add(StoreClient.connect(options));
            }
            progress(n + " simulated ranks: MF.RANK + allgather of 64 B");
            byte[][] results = new byte[n][];
            double seconds = runClients(n, i -> {
                GroupEngine engine = GroupEngine.open(stores.get(i), GroupOptions.builder().name("bench-ranks")
                        .namespace("bench/ranks/").worldSize(n).build());
                engines[i] = engine;
                byte[] payload = new byte[64];
                Arrays.fill(payload, (byte) engine.rank());
                List<byte[]> gathered = engine.allGather("all", n, payload);
                results[i] = gathered.get(n - 1);
            });
            for (byte[] last : results) {
                if (last == null || last.length != 64 || last[0] != (byte) (n - 1)) {
                    throw new IllegalStateException("allgather returned a wrong element for rank " + (n - 1));
                }
            }
            report.row("rank assignment + allgather 64 B").put("ranks", n).put("seconds", seconds);
        } finally {
            CloseHelper.closeAll(engines);
            CloseHelper.closeAll(stores.toArray(new AutoCloseable[0]));
        }
    }
}
