package io.memfabric.bench.copy;

import io.memfabric.config.Config;
import io.memfabric.copy.CopyBatch;
import io.memfabric.copy.CopyEngine;
import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.copy.CopyHandle;
import io.memfabric.copy.PeerDescriptor;
import io.memfabric.copy.Route;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmSlot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Measures copies from this process (rank 0) into a second rank process (rank 1) that it starts itself, over one
 * route, and prints one line per figure, in the format of {@code shared/bench/peers.sh}:
 * <pre>
 *   copy route=shm op=write size=1048576 gbps=41.20 reps=5
 *   copy route=tcp op=write size=64 p50_us=7.81 p99_us=9.90 reps=5
 * </pre>
 * Bandwidth: synchronous writes of one block, again and again ({@code mode=sync}), with {@code window} asynchronous
 * writes in flight ({@code mode=async}), or as batches of {@code window} writes ({@code mode=batch}, which tcp
 * pipelines on one connection), for about {@code bytesPerRep} bytes per repetition; the median of the repetitions.
 * Latency: synchronous writes of one small block, timed one by one (tcp: a full round trip each) or in groups of
 * {@value #LATENCY_GROUP} (shm, where one copy takes less than the clock's resolution); the median of the repetitions'
 * percentiles.
 *
 * <p>Order ({@code CopyBench order}): whether what a link learned in one phase holds back the next. Each repetition
 * measures synchronous writes of {@code size} bytes on fresh connections ({@code mode=alone}), then, on fresh
 * connections again, {@code count} synchronous writes of {@code small} bytes followed by the same writes of
 * {@code size} bytes ({@code mode=after_small}); fresh connections come from removing and adding the peer, which
 * closes its links (and so the listener's connections). It prints one line per repetition and the median ratio:
 * <pre>
 *   order route=tcp rep=1 size=1048576 alone_gbps=4.10 small=64 count=100000 after_small_gbps=3.95 ratio=0.96
 *   order route=tcp size=1048576 small=64 count=100000 alone_gbps=4.02 after_small_gbps=3.90 ratio=0.97 reps=5
 * </pre>
 *
 * <p>Usage: {@code CopyBench run --route shm|cma|tcp [--sizes 1m,64m] [--latency 64] [--reps 5]
 * [--bytes-per-rep 512m] [--window 4]}, or {@code CopyBench order [--route tcp] [--size 1m] [--small 64]
 * [--count 100000] [--reps 5] [--bytes-per-rep 256m]}; the child runs {@code CopyBench serve <slotBytes>}.
 */
public final class CopyBench {
    static final int LATENCY_GROUP = 1000;
    private static final long STRIDE = 1L << 30;

    private CopyBench() {
    }

    /** Benchmark settings. */
    public record Settings(Route route, List<Long> sizes, List<Long> latencySizes, int reps, long bytesPerRep,
                           int window) {
        /** Checks the values. */
        public Settings {
            Objects.requireNonNull(route, "route");
            sizes = List.copyOf(sizes);
            latencySizes = List.copyOf(latencySizes);
        }
    }

    /**
     * @param args {@code run ...} or {@code serve <slotBytes>}
     */
    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("serve")) {
            serve(Config.parseSize(args[1]));
            return;
        }
        boolean order = args.length >= 1 && args[0].equals("order");
        Route route = order ? Route.TCP : Route.SHM;
        List<Long> sizes = List.of(1L << 20, 64L << 20);
        List<Long> latency = List.of(64L);
        int reps = 5;
        long bytesPerRep = order ? 256L << 20 : 512L << 20;
        int window = 4;
        long size = 1L << 20;
        long small = 64;
        int count = 100_000;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--route" -> route = Route.parse(args[i + 1]);
                case "--sizes" -> sizes = parseSizes(args[i + 1]);
                case "--latency" -> latency = parseSizes(args[i + 1]);
                case "--reps" -> reps = Integer.parseInt(args[i + 1]);
                case "--bytes-per-rep" -> bytesPerRep = Config.parseSize(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--size" -> size = Config.parseSize(args[i + 1]);
                case "--small" -> small = Config.parseSize(args[i + 1]);
                case "--count" -> count = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (order) {
            order(new OrderSettings(route, size, small, count, reps, bytesPerRep), System.out);
        } else {
            run(new Settings(route, sizes, latency, reps, bytesPerRep, window), System.out);
        }
    }

    /**
     * Settings of the order benchmark.
     *
     * @param route       the route to force
     * @param size        the large writes, bytes
     * @param small       the small writes, bytes
     * @param count       how many small writes come before the large ones
     * @param reps        repetitions (each pair of phases on fresh connections)
     * @param bytesPerRep bytes of large writes per measurement
     */
    public record OrderSettings(Route route, long size, long small, int count, int reps, long bytesPerRep) {
        /** Checks the values. */
        public OrderSettings {
            Objects.requireNonNull(route, "route");
            if (size < 1 || small < 1 || count < 0 || reps < 1 || bytesPerRep < size) {
                throw new IllegalArgumentException("size=" + size + " small=" + small + " count=" + count + " reps="
                        + reps + " bytesPerRep=" + bytesPerRep + " (expected: >= 1, >= 1, >= 0, >= 1, >= size)");
            }
        }
    }

    private static List<Long> parseSizes(String text) {
        List<Long> sizes = new ArrayList<>();
        for (String token : text.split(",")) {
            if (!token.isBlank()) {
                sizes.add(Config.parseSize(token.trim()));
            }
        }
        return sizes;
    }

    /**
     * Runs the benchmark: starts the peer process, measures, prints, stops the peer.
     *
     * @param settings what to measure
     * @param out      where the figure lines go
     */
    public static void run(Settings settings, PrintStream out) throws IOException, InterruptedException {
        long largest = 4096;
        for (long s : settings.sizes()) {
            largest = Math.max(largest, s);
        }
        for (long s : settings.latencySizes()) {
            largest = Math.max(largest, s);
        }
        long slotBytes = (largest * Math.max(1, settings.window()) + 4095) & -4096L;
        withPeer(settings.route(), slotBytes, (engine, peer) -> measure(engine, settings, out));
    }

    /**
     * Runs the order benchmark (see the class comment): starts the peer process, measures, prints, stops the peer.
     *
     * @param settings what to measure
     * @param out      where the figure lines go
     */
    public static void order(OrderSettings settings, PrintStream out) throws IOException, InterruptedException {
        long slotBytes = (Math.max(settings.size(), settings.small()) + 4095) & -4096L;
        withPeer(settings.route(), slotBytes, (engine, peer) -> measureOrder(engine, peer, settings, out));
    }

    /** What to do with an engine (rank 0) that has the peer process (rank 1) as its peer. */
    private interface Session {
        void run(CopyEngine engine, PeerDescriptor peer);
    }

    private static void withPeer(Route route, long slotBytes, Session session)
            throws IOException, InterruptedException {
        String fabric = "bench" + ProcessHandle.current().pid();
        Process peer = startPeer(slotBytes);
        try (ShmSlot slot = ShmSlot.create(fabric, "copy", 0, MemoryType.HOST, 4096);
             BufferedReader peerOut = new BufferedReader(new InputStreamReader(peer.getInputStream(),
                     StandardCharsets.US_ASCII))) {
            String line;
            PeerDescriptor descriptor = null;
            while ((line = peerOut.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    descriptor = PeerDescriptor.decode(line.substring(6));
                    break;
                }
            }
            if (descriptor == null) {
                throw new IOException("the peer process ended without READY (exit " + peer.waitFor() + ")");
            }
            CopyEngineOptions options = CopyEngineOptions.builder().forceRoute(route).build();
            try (CopyEngine engine = CopyEngine.start(options, 0, HostId.current(), AddressSpace.of(2, STRIDE, 0),
                    List.<MemoryRegion>of(slot))) {
                engine.addPeer(descriptor);
                session.run(engine, descriptor);
            }
        } finally {
            peer.getOutputStream().close();
            if (!peer.waitFor(10, TimeUnit.SECONDS)) {
                peer.destroyForcibly();
            }
        }
    }

    private static Process startPeer(long slotBytes) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("memfabric.")) {
                command.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        command.addAll(List.of(CopyBench.class.getName(), "serve", Long.toString(slotBytes)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The peer: a slot, an engine serving it, its descriptor on stdout; exits when stdin ends. */
    private static void serve(long slotBytes) throws IOException {
        String fabric = "bench" + ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L);
        try (ShmSlot slot = ShmSlot.create(fabric, "copy", 1, MemoryType.HOST, slotBytes);
             CopyEngine engine = CopyEngine.start(CopyEngineOptions.fromConfig(), 1, HostId.current(),
                     AddressSpace.of(2, STRIDE, 0), List.<MemoryRegion>of(slot))) {
            System.out.println("READY " + engine.localDescriptor().encode());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            while (in.readLine() != null) {
                // Nothing to do: the driver only writes into this rank's slot.
            }
        }
    }

    private static void measure(CopyEngine engine, Settings settings, PrintStream out) {
        long base = engine.layout().peerBase(1, MemoryType.HOST);
        String route = settings.route().wireName();
        try (Arena arena = Arena.ofShared()) {
            for (long size : settings.sizes()) {
                MemorySegment src = arena.allocate(size, 4096);
                src.fill((byte) 7);
                long reps = Math.max(4, settings.bytesPerRep() / size);
                double[] sync = new double[settings.reps()];
                double[] async = new double[settings.reps()];
                for (int warm = 0; warm < 2; warm++) {
                    bandwidth(engine, src, base, size, Math.max(2, reps / 4), 1);
                }
                for (int r = 0; r < settings.reps(); r++) {
                    sync[r] = bandwidth(engine, src, base, size, reps, 1);
                    async[r] = settings.window() > 1 ? bandwidth(engine, src, base, size, reps, settings.window()) : 0;
                }
                out.printf(Locale.ROOT, "copy route=%s op=write mode=sync size=%d gbps=%.2f reps=%d%n", route, size,
                        median(sync), settings.reps());
                if (settings.window() > 1) {
                    double[] batched = new double[settings.reps()];
                    for (int r = 0; r < settings.reps(); r++) {
                        batched[r] = batch(engine, src, base, size, reps, settings.window());
                    }
                    out.printf(Locale.ROOT, "copy route=%s op=write mode=batch batch=%d size=%d gbps=%.2f reps=%d%n",
                            route, settings.window(), size, median(batched), settings.reps());
                }
                if (settings.window() > 1) {
                    out.printf(Locale.ROOT, "copy route=%s op=write mode=async window=%d size=%d gbps=%.2f reps=%d%n",
                            route, settings.window(), size, median(async), settings.reps());
                }
            }
            for (long size : settings.latencySizes()) {
                MemorySegment src = arena.allocate(size, 64);
                src.fill((byte) 3);
                boolean grouped = settings.route() != Route.TCP;
                int samples = grouped ? 2_000 : 20_000;
                double[] p50 = new double[settings.reps()];
                double[] p99 = new double[settings.reps()];
                latency(engine, src, base, size, samples, grouped); // warm-up
                for (int r = 0; r < settings.reps(); r++) {
                    double[] sorted = latency(engine, src, base, size, samples, grouped);
                    p50[r] = sorted[sorted.length / 2];
                    p99[r] = sorted[(int) (sorted.length * 0.99)];
                }
                out.printf(Locale.ROOT, "copy route=%s op=write size=%d p50_us=%.3f p99_us=%.3f reps=%d%s%n", route,
                        size, median(p50), median(p99), settings.reps(),
                        grouped ? " timing=mean_of_" + LATENCY_GROUP : " timing=each");
            }
        }
    }

    private static void measureOrder(CopyEngine engine, PeerDescriptor peer, OrderSettings settings,
                                     PrintStream out) {
        long base = engine.layout().peerBase(1, MemoryType.HOST);
        String route = settings.route().wireName();
        long size = settings.size();
        long reps = Math.max(4, settings.bytesPerRep() / size);
        double[] alone = new double[settings.reps()];
        double[] after = new double[settings.reps()];
        double[] ratio = new double[settings.reps()];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment large = arena.allocate(size, 4096);
            large.fill((byte) 7);
            MemorySegment small = arena.allocate(settings.small(), 64);
            small.fill((byte) 3);
            // Warm-up, not reported: both phases, shorter, so that no measured phase runs cold code.
            reconnect(engine, peer);
            bandwidth(engine, large, base, size, Math.max(2, reps / 4), 1);
            smallWrites(engine, small, base, Math.min(settings.count(), 10_000));
            bandwidth(engine, large, base, size, Math.max(2, reps / 4), 1);
            for (int r = 0; r < settings.reps(); r++) {
                reconnect(engine, peer);
                alone[r] = bandwidth(engine, large, base, size, reps, 1);
                reconnect(engine, peer);
                smallWrites(engine, small, base, settings.count());
                after[r] = bandwidth(engine, large, base, size, reps, 1);
                ratio[r] = after[r] / alone[r];
                out.printf(Locale.ROOT, "order route=%s rep=%d size=%d alone_gbps=%.2f small=%d count=%d "
                        + "after_small_gbps=%.2f ratio=%.2f%n", route, r + 1, size, alone[r], settings.small(),
                        settings.count(), after[r], ratio[r]);
            }
        }
        out.printf(Locale.ROOT, "order route=%s size=%d small=%d count=%d alone_gbps=%.2f after_small_gbps=%.2f "
                + "ratio=%.2f reps=%d%n", route, size, settings.small(), settings.count(), median(alone),
                median(after), median(ratio), settings.reps());
    }

    /** Fresh links to the peer: its connections (and what their waits learned) are closed and opened anew. */
    private static void reconnect(CopyEngine engine, PeerDescriptor peer) {
        engine.removePeer(peer.rank());
        engine.addPeer(peer);
    }

    private static void smallWrites(CopyEngine engine, MemorySegment src, long base, int count) {
        for (int i = 0; i < count; i++) {
            engine.write(src, base, src.byteSize());
        }
    }

    /** @return GB/s of {@code reps} writes of {@code size} bytes, {@code window} in flight. */
    private static double bandwidth(CopyEngine engine, MemorySegment src, long base, long size, long reps,
                                    int window) {
        long start = System.nanoTime();
        if (window <= 1) {
            for (long i = 0; i < reps; i++) {
                engine.write(src, base, size);
            }
        } else {
            CopyHandle[] inFlight = new CopyHandle[window];
            for (long i = 0; i < reps; i++) {
                int k = (int) (i % window);
                if (inFlight[k] != null) {
                    inFlight[k].await();
                }
                inFlight[k] = engine.writeAsync(src, base + k * size, size);
            }
            engine.awaitAll();
        }
        return reps * (double) size / (System.nanoTime() - start);
    }

    /** @return GB/s of {@code reps} writes of {@code size} bytes issued as batches of {@code batchSize}. */
    private static double batch(CopyEngine engine, MemorySegment src, long base, long size, long reps,
                                int batchSize) {
        CopyBatch batch = new CopyBatch(batchSize);
        for (int k = 0; k < batchSize; k++) {
            batch.addWrite(src, base + k * size, size);
        }
        long rounds = Math.max(1, reps / batchSize);
        long start = System.nanoTime();
        for (long i = 0; i < rounds; i++) {
            engine.execute(batch);
        }
        return rounds * batchSize * (double) size / (System.nanoTime() - start);
    }

    /** @return sorted per-write latencies in microseconds. */
    private static double[] latency(CopyEngine engine, MemorySegment src, long base, long size, int samples,
                                    boolean grouped) {
        double[] us = new double[samples];
        for (int s = 0; s < samples; s++) {
            if (grouped) {
                long start = System.nanoTime();
                for (int i = 0; i < LATENCY_GROUP; i++) {
                    engine.write(src, base, size);
                }
                us[s] = (System.nanoTime() - start) / 1e3 / LATENCY_GROUP;
            } else {
                long start = System.nanoTime();
                engine.write(src, base, size);
                us[s] = (System.nanoTime() - start) / 1e3;
            }
        }
        Arrays.sort(us);
        return us;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
