package io.memfabric.systemtest;

import io.memfabric.bm.BigMemory;
import io.memfabric.bm.BigMemoryBatch;
import io.memfabric.bm.BigMemoryOptions;
import io.memfabric.bm.BigMemorySpace;
import io.memfabric.bm.CopyCompletion;
import io.memfabric.bm.CopyType;
import io.memfabric.bm.CreateOptions;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.MemoryType;
import io.memfabric.testsupport.RankProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * One rank of a BigMemory system test, in its own JVM. Arguments: {@code <storeUrl> <worldSize> <mode> <members>
 * [targets]}: it joins object 0 and waits until {@code members} ranks are in, then runs the mode. Settings come from
 * system properties: {@value #RANK_PROP} (explicit rank; auto-ranking otherwise), {@value #HEARTBEAT_PROP}, and the
 * library's own ({@code memfabric.copy.force.route}, {@code memfabric.host.id}, {@code memfabric.shm.dir}).
 *
 * <p>Modes and the lines they print (the test reads them):
 * <pre>
 * ready rank=R store=true|false   object created (not joined); store=true when this process hosts the store
 * joined rank=R members=0,1,2     joined, and the expected members are imported
 * route to P: shm: ...            how copies reach each other member (route and why)
 * copy:   directions ok checks=K  every copy direction against own and remote slots, read back and compared
 *         chain ok edges=24 ...   the all-path chain (BmAllPathChain)
 *         batch ok / async ok     batches (sync and async) and async copies
 *         cross ok from=P         what the previous rank wrote into this rank's slots is there (direct reads)
 * loop:   loop I members=N        every ~100 ms: I verified iterations of copies to the targets so far
 *         lost T code=C           a copy to target T failed with C; T is dropped from the loop
 *         probe T ok|code=C       answer to the stdin command "probe T"
 *         loop done iterations=I  after stdin "stop"
 * joiner: copies ok round=N       copies to and from every other member verified; stdin "leave", "join", "close"
 *         left
 * done                            finished; a process that hosts the store then waits for stdin "close"
 * closed                          BigMemory closed; exits 0 (1 after "failed ...")
 * </pre>
 */
public final class BmRankMain {
    static final String RANK_PROP = "bm.test.rank";
    static final String HEARTBEAT_PROP = "bm.test.heartbeat.ms";
    static final long HOST_LOCAL = 8L << 20;
    static final long HOST_MAX = 16L << 20;
    static final long DEVICE_LOCAL = 8L << 20;
    static final long DEVICE_MAX = 8L << 20;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long[] SIZES = {1, 7, 4099, 65537, (1 << 20) + 3};
    private static final long PRINT_PERIOD_NS = 100_000_000L;

    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in,
            StandardCharsets.UTF_8));

    private BmRankMain() {
    }

    public static void main(String[] args) {
        RankProcess.exitWhenParentExits();
        String url = args[0];
        int worldSize = Integer.parseInt(args[1]);
        String mode = args[2];
        int expected = Integer.parseInt(args[3]);
        List<Integer> targets = args.length > 4 ? Arrays.stream(args[4].split(",")).map(Integer::valueOf).toList()
                : List.of();
        int explicitRank = Integer.getInteger(RANK_PROP, -1);
        long heartbeatMs = Long.getLong(HEARTBEAT_PROP, 500);
        BigMemoryOptions.Builder options = BigMemoryOptions.builder()
                .controlOperationTimeout(WAIT)
                .storeClient(b -> b.heartbeatPeriod(Duration.ofMillis(heartbeatMs)))
                .storeServer(b -> b.heartbeatPeriod(Duration.ofMillis(heartbeatMs)));
        if (explicitRank >= 0) {
            options.autoRanking(false).rankId(explicitRank);
        }
        try (BigMemory bm = BigMemory.init(url, worldSize, options.build());
             BigMemorySpace space = bm.create(0, CreateOptions.builder().localHostSize(HOST_LOCAL)
                     .maxHostSize(HOST_MAX).localDeviceSize(DEVICE_LOCAL).maxDeviceSize(DEVICE_MAX).build())) {
            int rank = bm.rank();
            System.out.println("ready rank=" + rank + " store=" + bm.startedStore());
            space.join();
            int[] members = space.awaitMembers(expected, WAIT);
            System.out.println("joined rank=" + rank + " members=" + join(members));
            for (int member : members) {
                if (member != rank) {
                    System.out.println("route to " + member + ": " + space.routeTo(member));
                }
            }
            switch (mode) {
                case "copy" -> copyMode(space, members);
                case "loop" -> loopMode(space, targets);
                case "joiner" -> joinerMode(space, expected);
                default -> throw new IllegalArgumentException("mode=" + mode);
            }
            System.out.println("done");
            if (bm.startedStore()) {
                awaitCommand("close");
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.println("failed " + t);
            System.out.flush();
            System.exit(1);
        }
        System.out.println("closed");
        System.out.flush();
        System.exit(0);
    }

    private static String join(int[] ranks) {
        return Arrays.stream(ranks).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String readCommand() {
        try {
            String line = STDIN.readLine();
            if (line == null) {
                throw new IllegalStateException("stdin closed");
            }
            return line.trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitCommand(String command) {
        String line = readCommand();
        if (!line.equals(command)) {
            throw new IllegalStateException("command '" + line + "' (expected: " + command + ")");
        }
    }

    // -------------------------------------------------------------------------------------------------- copy mode

    /** Where this rank may write in every slot: region {@code rank} of {@code worldSize} equal parts. */
    private static long region(BigMemorySpace space, MemoryType type) {
        return space.localSize(type) / space.worldSize() * space.rank();
    }

    private static long regionBytes(BigMemorySpace space, MemoryType type) {
        return space.localSize(type) / space.worldSize();
    }

    private static void copyMode(BigMemorySpace space, int[] members) {
        int rank = space.rank();
        int n = members.length;
        int peer = members[(indexOf(members, rank) + 1) % n];
        int prev = members[(indexOf(members, rank) + n - 1) % n];
        int third = members[(indexOf(members, rank) + 2) % n];
        space.barrier();
        int checks = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (long size : SIZES) {
                checks += directions(space, arena, peer, third, size);
            }
        }
        System.out.println("directions ok checks=" + checks);
        long region = Math.min(regionBytes(space, MemoryType.HOST), regionBytes(space, MemoryType.DEVICE));
        System.out.println(BmAllPathChain.run(space, peer, region(space, MemoryType.DEVICE), Math.min(region - 16,
                (1 << 20) + 5), 4242 + rank));
        batches(space, peer);
        System.out.println("batch ok");
        async(space, peer);
        System.out.println("async ok");
        cross(space, peer, prev);
        space.barrier();
    }

    private static int indexOf(int[] ranks, int rank) {
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] == rank) {
                return i;
            }
        }
        throw new IllegalStateException("rank " + rank + " is not among " + Arrays.toString(ranks));
    }

    /** @return the number of checks run: every direction for one size, at odd offsets, own and remote slots. */
    private static int directions(BigMemorySpace space, Arena arena, int peer, int third, long size) {
        int rank = space.rank();
        long off = 1 + size % 13;
        long ownHost = space.peerAddress(rank, MemoryType.HOST) + region(space, MemoryType.HOST) + off;
        long ownDevice = space.peerAddress(rank, MemoryType.DEVICE) + region(space, MemoryType.DEVICE) + off;
        long peerHost = space.peerAddress(peer, MemoryType.HOST) + region(space, MemoryType.HOST) + off;
        long peerDevice = space.peerAddress(peer, MemoryType.DEVICE) + region(space, MemoryType.DEVICE) + off;
        MemorySegment data = arena.allocate(size);
        MemorySegment out = arena.allocate(size);
        int checks = 0;
        long seed = size * 1000 + rank;

        // Local to global and back, each direction with its own pattern.
        Object[][] cases = {
            {CopyType.L2G, peerDevice, CopyType.G2L},
            {CopyType.H2G, peerHost, CopyType.G2H},
            {CopyType.L2GH, peerHost, CopyType.GH2L},
            {CopyType.H2GH, ownHost, CopyType.GH2H},
            {CopyType.L2G, ownDevice, CopyType.G2H},
            {CopyType.H2G, peerDevice, CopyType.G2L},
            {CopyType.H2GH, peerHost, CopyType.GH2H},
            {CopyType.AUTO, peerDevice, CopyType.AUTO},
            {CopyType.AUTO, ownHost, CopyType.AUTO},
        };
        for (Object[] c : cases) {
            CopyType put = (CopyType) c[0];
            long gva = (Long) c[1];
            CopyType get = (CopyType) c[2];
            BmPatterns.fill(data, seed++);
            out.fill((byte) 0);
            space.copy(data, gva, size, put);
            space.copy(gva, out, size, get);
            BmPatterns.check(put + "/" + get + " size=" + size + " gva=0x" + Long.toHexString(gva), data, out);
            checks++;
        }

        // Global to global: remote -> own, own -> remote, own HOST <-> own DEVICE through the remote, AUTO.
        BmPatterns.fill(data, seed++);
        space.copy(data, peerDevice, size, CopyType.H2G);
        space.copy(peerDevice, ownHost, size, CopyType.G2G);
        space.copy(ownHost, peerHost, size, CopyType.G2G);
        space.copy(peerHost, ownDevice, size, CopyType.AUTO);
        out.fill((byte) 0);
        space.copy(ownDevice, out, size, CopyType.G2L);
        BmPatterns.check("G2G chain size=" + size, data, out);
        checks++;
        if (third != rank && third != peer) {
            // Remote to remote: from the peer's DEVICE to the third rank's HOST.
            long thirdHost = space.peerAddress(third, MemoryType.HOST) + region(space, MemoryType.HOST) + off;
            space.copy(peerDevice, thirdHost, size, CopyType.G2G);
            out.fill((byte) 0);
            space.copy(thirdHost, out, size, CopyType.GH2H);
            BmPatterns.check("G2G remote->remote size=" + size, data, out);
            checks++;
        }
        return checks;
    }

    private static void batches(BigMemorySpace space, int peer) {
        int rank = space.rank();
        long host = space.peerAddress(peer, MemoryType.HOST) + region(space, MemoryType.HOST);
        long device = space.peerAddress(peer, MemoryType.DEVICE) + region(space, MemoryType.DEVICE);
        long own = space.peerAddress(rank, MemoryType.HOST) + region(space, MemoryType.HOST);
        long[] sizes = {1, 4097, 65536, 100_003, 3, 250_000};
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] data = new MemorySegment[sizes.length];
            MemorySegment[] out = new MemorySegment[sizes.length];
            long[] at = new long[sizes.length];
            long offset = 11;
            BigMemoryBatch put = new BigMemoryBatch(2);
            for (int i = 0; i < sizes.length; i++) {
                data[i] = BmPatterns.fill(arena.allocate(sizes[i]), 777 + i * 31L + rank);
                out[i] = arena.allocate(sizes[i]);
                at[i] = (i % 3 == 0 ? host : i % 3 == 1 ? device : own) + offset;
                offset += sizes[i] + 5;
                put.add(data[i], at[i], sizes[i], i % 2 == 0 ? CopyType.H2G : CopyType.L2G);
            }
            space.copyBatch(put);
            BigMemoryBatch moved = new BigMemoryBatch();
            long[] moves = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                // G2G each block to a second place in this rank's regions: own blocks go to the peer, the peer's
                // blocks to this rank (regions are at least 2 MiB: 8 MiB slots, at most 4 ranks).
                moves[i] = (i % 3 == 2 ? host : own) + 450_000 + i * 260_000L;
                moved.add(at[i], moves[i], sizes[i], CopyType.G2G);
            }
            space.copyBatchAsync(moved).await();
            BigMemoryBatch get = new BigMemoryBatch();
            for (int i = 0; i < sizes.length; i++) {
                get.add(moves[i], out[i], sizes[i], i % 2 == 0 ? CopyType.G2H : CopyType.AUTO);
            }
            space.copyBatch(get);
            for (int i = 0; i < sizes.length; i++) {
                BmPatterns.check("batch element " + i, data[i], out[i]);
            }
            // Reuse: the same batch object, cleared and run again.
            get.clear();
            for (int i = 0; i < sizes.length; i++) {
                out[i].fill((byte) 0);
                get.add(at[i], out[i], sizes[i], CopyType.G2L);
            }
            space.copyBatch(get);
            for (int i = 0; i < sizes.length; i++) {
                BmPatterns.check("reused batch element " + i, data[i], out[i]);
            }
        }
    }

    private static void async(BigMemorySpace space, int peer) {
        int rank = space.rank();
        long host = space.peerAddress(peer, MemoryType.HOST) + region(space, MemoryType.HOST);
        long device = space.peerAddress(peer, MemoryType.DEVICE) + region(space, MemoryType.DEVICE);
        int count = 16;
        long size = 20_011;
        try (Arena arena = Arena.ofShared()) {
            List<MemorySegment> data = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                MemorySegment d = BmPatterns.fill(arena.allocate(size), 9000 + i + rank * 100L);
                data.add(d);
                long gva = (i % 2 == 0 ? host : device) + 17 + i * (size + 1);
                space.copyAsync(d, gva, size, i % 2 == 0 ? CopyType.H2GH : CopyType.L2G);
            }
            space.await();
            List<CopyCompletion> reads = new ArrayList<>();
            List<MemorySegment> outs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                MemorySegment out = arena.allocate(size);
                outs.add(out);
                long gva = (i % 2 == 0 ? host : device) + 17 + i * (size + 1);
                reads.add(space.copyAsync(gva, out, size, i % 2 == 0 ? CopyType.GH2H : CopyType.G2L));
            }
            for (int i = 0; i < count; i++) {
                reads.get(i).await();
                if (reads.get(i).poll() != CopyCompletion.DONE) {
                    throw new IllegalStateException("async read " + i + " polls " + reads.get(i).poll());
                }
                BmPatterns.check("async element " + i, data.get(i), outs.get(i));
            }
            MemorySegment out = arena.allocate(size);
            CopyCompletion g2g = space.copyAsync(host + 17, space.peerAddress(rank, MemoryType.DEVICE)
                    + region(space, MemoryType.DEVICE) + 3, size, CopyType.G2G);
            if (!g2g.await(WAIT)) {
                throw new IllegalStateException("async G2G still pending after " + WAIT);
            }
            space.copy(space.peerAddress(rank, MemoryType.DEVICE) + region(space, MemoryType.DEVICE) + 3, out, size,
                    CopyType.G2H);
            BmPatterns.check("async G2G", data.get(0), out);
        }
    }

    /** Writes a pattern into the peer's slots, then checks what the previous rank wrote here, by direct reads. */
    private static void cross(BigMemorySpace space, int peer, int prev) {
        int rank = space.rank();
        long size = 65_537;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = BmPatterns.fill(arena.allocate(size), crossSeed(rank, MemoryType.HOST));
            MemorySegment device = BmPatterns.fill(arena.allocate(size), crossSeed(rank, MemoryType.DEVICE));
            space.copy(host, space.peerAddress(peer, MemoryType.HOST) + region(space, MemoryType.HOST), size,
                    CopyType.H2GH);
            space.copy(device, space.peerAddress(peer, MemoryType.DEVICE) + region(space, MemoryType.DEVICE), size,
                    CopyType.L2G);
            space.barrier();
            long prevHost = space.localSize(MemoryType.HOST) / space.worldSize() * prev;
            long prevDevice = space.localSize(MemoryType.DEVICE) / space.worldSize() * prev;
            BmPatterns.check("HOST written by rank " + prev, BmPatterns.fill(arena.allocate(size),
                    crossSeed(prev, MemoryType.HOST)), space.localSegment(MemoryType.HOST).asSlice(prevHost, size));
            BmPatterns.check("DEVICE written by rank " + prev, BmPatterns.fill(arena.allocate(size),
                    crossSeed(prev, MemoryType.DEVICE)), space.localSegment(MemoryType.DEVICE).asSlice(prevDevice,
                    size));
        }
        System.out.println("cross ok from=" + prev);
    }

    private static long crossSeed(int rank, MemoryType type) {
        return 31_000 + rank * 2L + type.ordinal();
    }

    // -------------------------------------------------------------------------------------------------- loop mode

    /**
     * Copies to every target and verifies, over and over, until stdin says "stop". A target whose copy fails with
     * PEER_UNAVAILABLE is reported and dropped; a wrong byte fails the rank.
     */
    private static void loopMode(BigMemorySpace space, List<Integer> initialTargets) {
        List<Integer> targets = new CopyOnWriteArrayList<>(initialTargets);
        AtomicBoolean stop = new AtomicBoolean();
        int rank = space.rank();
        long size = 4099;
        long slot = HOST_LOCAL / space.worldSize();
        Thread commands = new Thread(() -> {
            while (true) {
                String line = readCommand();
                if (line.equals("stop")) {
                    stop.set(true);
                    return;
                }
                if (line.startsWith("probe ")) {
                    System.out.println("probe " + line.substring(6) + " " + probe(space, Integer.parseInt(
                            line.substring(6))));
                }
            }
        }, "commands");
        commands.setDaemon(true);
        commands.start();
        long iterations = 0;
        long nextPrintNs = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(size);
            MemorySegment out = arena.allocate(size);
            long ownDevice = space.peerAddress(rank, MemoryType.DEVICE) + region(space, MemoryType.DEVICE);
            while (!stop.get()) {
                for (int target : targets) {
                    long offset = rank * slot + (iterations % 64) * 4096 + 1;
                    long host = space.peerAddress(target, MemoryType.HOST) + offset;
                    long device = space.peerAddress(target, MemoryType.DEVICE) + offset;
                    try {
                        BmPatterns.fill(data, iterations * 1024 + rank * 16L + target);
                        space.copy(data, host, size, CopyType.H2G);
                        space.copy(host, out, size, CopyType.G2H);
                        BmPatterns.check("loop " + iterations + " to rank " + target, data, out);
                        space.copy(data, ownDevice, size, CopyType.L2G);
                        space.copy(ownDevice, device, size, CopyType.G2G);
                        out.fill((byte) 0);
                        space.copy(device, out, size, CopyType.G2L);
                        BmPatterns.check("loop " + iterations + " G2G to rank " + target, data, out);
                    } catch (PeerLostException e) {
                        System.out.println("lost " + target + " code=" + e.code() + " at iteration " + iterations
                                + ": " + e.getMessage());
                        targets.remove((Integer) target);
                    }
                }
                iterations++;
                if (System.nanoTime() - nextPrintNs >= 0) {
                    System.out.println("loop " + iterations + " members=" + space.members().length);
                    nextPrintNs = System.nanoTime() + PRINT_PERIOD_NS;
                }
            }
        }
        System.out.println("loop done iterations=" + iterations);
    }

    /** @return "ok" when a round trip to {@code target} verifies, or the failure's code. */
    private static String probe(BigMemorySpace space, int target) {
        try (Arena arena = Arena.ofConfined()) {
            long size = 1000;
            MemorySegment data = BmPatterns.fill(arena.allocate(size), 55_555 + target);
            MemorySegment out = arena.allocate(size);
            long gva = space.peerAddress(target, MemoryType.DEVICE) + DEVICE_LOCAL - size;
            space.copy(data, gva, size, CopyType.L2G);
            space.copy(gva, out, size, CopyType.G2L);
            BmPatterns.check("probe of rank " + target, data, out);
            return "ok";
        } catch (MemFabricException e) {
            return "code=" + e.code();
        }
    }

    // ------------------------------------------------------------------------------------------------ joiner mode

    private static void joinerMode(BigMemorySpace space, int members) {
        int round = 1;
        verifyAll(space, round);
        while (true) {
            String command = readCommand();
            switch (command) {
                case "leave" -> {
                    space.leave();
                    System.out.println("left");
                }
                case "join" -> {
                    space.join();
                    space.awaitMembers(members, WAIT);
                    verifyAll(space, ++round);
                }
                case "close" -> {
                    return;
                }
                default -> throw new IllegalStateException("command '" + command + "'");
            }
        }
    }

    /** Copies to and from every other member, in both windows, and verifies. */
    private static void verifyAll(BigMemorySpace space, int round) {
        int rank = space.rank();
        long size = 100_001;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(size);
            MemorySegment out = arena.allocate(size);
            for (int member : space.members()) {
                if (member == rank) {
                    continue;
                }
                for (MemoryType type : MemoryType.values()) {
                    long gva = space.peerAddress(member, type) + region(space, type) + 7;
                    BmPatterns.fill(data, round * 100_000L + member * 10L + type.ordinal());
                    space.copy(data, gva, size, CopyType.H2G);
                    out.fill((byte) 0);
                    space.copy(gva, out, size, CopyType.G2H);
                    BmPatterns.check("round " + round + " " + type + " of rank " + member, data, out);
                }
            }
        }
        System.out.println("copies ok round=" + round + " members=" + join(space.members()));
    }
}
