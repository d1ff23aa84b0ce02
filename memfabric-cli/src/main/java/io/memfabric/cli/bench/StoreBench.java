package io.memfabric.cli.bench;

import io.memfabric.cli.OptionChecks;
import io.memfabric.cli.Progress;
import io.memfabric.common.CloseHelper;
import io.memfabric.group.GroupEngine;
import io.memfabric.group.GroupOptions;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.memory.AddressSpace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
    private static final List<String> PARTS = List.of("redis", "client", "barrier", "ranks");
    private static final int MAX_CLIENTS = 10_000;
    private static final int MAX_ROUNDS = 1_000_000;

    @Option(names = "--clients", defaultValue = "50",
            description = "Clients of the SET/GET tests, 1.." + MAX_CLIENTS + " (default: 50).")
    int clients;

    @Option(names = "--ops", defaultValue = "200000",
            description = "Operations per SET/GET test, at least --clients (default: 200000).")
    int ops;

    @Option(names = "--ranks", split = ",", defaultValue = "2,4,8,16,32,64",
            description = "Rank counts of the barrier test, each 2..1024 (default: 2,4,8,16,32,64).")
    int[] barrierRanks;

    @Option(names = "--rounds", defaultValue = "200",
            description = "Barrier rounds per rank count, 1.." + MAX_ROUNDS + " (default: 200).")
    int rounds;

    @Option(names = "--sim-ranks", defaultValue = "1024",
            description = "Simulated ranks of the assignment + allgather test, 2..1024 (default: 1024; 0 skips it).")
    int simRanks;

    @Option(names = "--peers", description = "Path of shared/bench/peers.sh, or 'none' to skip the redis-benchmark "
            + "comparison (default: $" + PeersScript.ENV + ", else shared/bench/peers.sh above the jar or the "
            + "working directory).")
    String peers;

    @Option(names = "--quick", description = "Pass --quick to peers.sh (fewer repetitions).")
    boolean quick;

    @Option(names = "--only", split = ",", description = "Run only these parts: redis, client, barrier, ranks.")
    List<String> only;

    @Option(names = "--json", description = "Print JSON Lines (one object per result row) instead of a table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PeersScript script = checkOptions();
        BenchReport report = new BenchReport("store");
        StoreServerOptions serverOptions = StoreServerOptions.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).build();
        try (StoreServer server = StoreServer.start(serverOptions)) {
            StoreUrl url = server.url();
            progress("store listening on " + url);
            if (selected("redis")) {
                redisBenchmark(report, script, server.localAddress().getPort());
            }
            if (selected("client")) {
                javaClientThroughput(report, url);
            }
            if (selected("barrier")) {
                try (Progress progress = Progress.onStderr("bench store: barrier", barrierRanks.length)) {
                    for (int n : barrierRanks) {
                        progress.note(n + " ranks x " + rounds + " rounds");
                        progress.step(barrierLatency(report, url, n));
                    }
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

    /** @return the located peers.sh (or why there is none); every option checked */
    private PeersScript checkOptions() {
        OptionChecks.range(spec, "--clients", clients, 1, MAX_CLIENTS);
        OptionChecks.range(spec, "--ops", ops, clients, Integer.MAX_VALUE);
        for (int n : barrierRanks) {
            OptionChecks.range(spec, "--ranks", n, 2, AddressSpace.MAX_WORLD_SIZE);
        }
        OptionChecks.range(spec, "--rounds", rounds, 1, MAX_ROUNDS);
        if (simRanks != 0) {
            OptionChecks.range(spec, "--sim-ranks", simRanks, 2, AddressSpace.MAX_WORLD_SIZE);
        }
        if (only != null) {
            for (String part : only) {
                OptionChecks.oneOf(spec, "--only", part, PARTS);
            }
        }
        try {
            return PeersScript.locate(peers);
        } catch (IllegalArgumentException e) {
            throw OptionChecks.usage(spec, e.getMessage());
        }
    }

    private boolean selected(String part) {
        return only == null || only.contains(part);
    }

    private static void progress(String line) {
        System.err.println("bench store: " + line);
    }

    // ------------------------------------------------------------------ redis-benchmark through peers.sh

    private void redisBenchmark(BenchReport report, PeersScript script, int port) throws Exception {
        if (!script.found()) {
            progress((PeersScript.NONE.equals(peers) ? "" : "WARN ") + "no redis-benchmark comparison: "
                    + (PeersScript.NONE.equals(peers) ? script.whyNot() : "peers.sh not found (" + script.whyNot()
                    + ")"));
            report.row("redis-benchmark").put("note", "skipped: " + script.whyNot());
            return;
        }
        List<String> command = new ArrayList<>(List.of("bash", script.path().toString(), "redis", "--target-port",
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
                    progress("WARN no redis-benchmark comparison: " + line);
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

    /** @return the figures, for the progress line */
    private String barrierLatency(BenchReport report, StoreUrl url, int n) throws Exception {
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
        double p50Us = all[all.length / 2] / 1e3;
        double p99Us = all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e3;
        report.row("barrier").put("ranks", n).put("rounds", rounds).put("p50Us", p50Us).put("p99Us", p99Us);
        return String.format(java.util.Locale.ROOT, "%d ranks: p50 %.1f us, p99 %.1f us", n, p50Us, p99Us);
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
