package io.memfabric.cli.bench;

import io.memfabric.bm.BigMemory;
import io.memfabric.bm.BigMemoryBatch;
import io.memfabric.bm.BigMemorySpace;
import io.memfabric.bm.CopyType;
import io.memfabric.bm.CreateOptions;
import io.memfabric.cli.Converters;
import io.memfabric.cli.local.LocalRankOptions;
import io.memfabric.cli.local.Patterns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One rank of {@code memfabric bench bm} (hidden). Rank 0 measures every (block size, direction) while the others
 * wait at a barrier; rank 0 prints one {@code result …} line per measurement. Every rank prints {@code progress slots}
 * and {@code progress joined}; rank 0 also {@code progress warm-up <type>} per warm-up copy loop and
 * {@code progress test <type> <block>} before each measurement. A rank exits as soon as its parent ends.
 */
@Command(name = "bench-bm-rank", hidden = true, description = "One rank of memfabric bench bm (started by it).")
public final class BmBenchRankCommand implements Callable<Integer> {
    @Mixin
    LocalRankOptions local;

    @Option(names = "--types", required = true, split = ",")
    List<String> types;

    @Option(names = "--blocks", required = true, split = ",", converter = Converters.Size.class)
    List<Long> blocks;

    @Option(names = "--count", required = true, description = "Iterations; 0 = as many as move about 2 GiB "
            + "(10..100000).")
    int count;

    @Option(names = "--batch", required = true)
    int batch;

    @Option(names = "--slot", required = true, converter = Converters.Size.class)
    long slot;

    /** Exit status of a rank whose parent went away: that of a process ended by SIGTERM. */
    private static final int PARENT_GONE_EXIT = 143;

    @Override
    public Integer call() {
        int ranks = local.ranks();
        int rank = local.rank();
        LocalRankOptions.onParentEnd(() -> System.exit(PARENT_GONE_EXIT));
        try (BigMemory bm = local.init()) {
            BigMemorySpace space = bm.create(0, CreateOptions.builder().localHostSize(slot).localDeviceSize(slot)
                    .build());
            System.out.println("progress slots");
            space.join();
            space.awaitMembers(ranks, Duration.ofSeconds(120));
            System.out.println("progress joined");
            try (Arena arena = Arena.ofShared()) {
                long maxBytes = blocks.stream().mapToLong(b -> b * batch).max().orElseThrow();
                MemorySegment localHost = arena.allocate(maxBytes, 4096);
                // The device tier is emulated: "local device memory" is host memory here, as upstream's DRAM stand-in.
                MemorySegment localDevice = arena.allocate(maxBytes, 4096);
                MemorySegment check = arena.allocate(maxBytes, 4096);
                // One unreported pass over every direction at the first block size: the JIT compiles each copy path
                // before any of them is measured, so the first test of a run is not measured cold. (The first size,
                // not the smallest: tcp waits adapt to the sizes they see, so the pass must not change the order.)
                long first = blocks.get(0);
                for (String type : types) {
                    space.barrier();
                    if (rank == 0) {
                        System.out.println("progress warm-up " + type);
                        measure(space, BmDirection.parse(type), first, localHost, localDevice, check, ranks, false);
                    }
                    space.barrier();
                }
                for (long block : blocks) {
                    for (String type : types) {
                        space.barrier();
                        if (rank == 0) {
                            System.out.println("progress test " + type + " " + block);
                            measure(space, BmDirection.parse(type), block, localHost, localDevice, check, ranks, true);
                        }
                        space.barrier();
                    }
                }
            }
            space.close();
        }
        System.out.println("done");
        return 0;
    }

    private void measure(BigMemorySpace space, BmDirection direction, long block, MemorySegment localHost,
                         MemorySegment localDevice, MemorySegment check, int ranks, boolean report) {
        long bytes = block * batch;
        int target = direction.remote ? 1 % ranks : 0;
        long global = space.peerAddress(target, direction.globalType);
        MemorySegment local = (direction.localDevice ? localDevice : localHost).asSlice(0, bytes);
        long seed = 31L * block + direction.ordinal();
        if (direction.put) {
            Patterns.fill(local, seed);
        } else {
            Patterns.fill(check.asSlice(0, bytes), seed);
            space.copy(check.asSlice(0, bytes), global, bytes, CopyType.H2G);
        }
        BigMemoryBatch elements = new BigMemoryBatch(batch);
        for (int i = 0; i < batch; i++) {
            long offset = i * block;
            if (direction.put) {
                elements.add(local.asSlice(offset, block), global + offset, block, direction.copyType);
            } else {
                elements.add(global + offset, local.asSlice(offset, block), block, direction.copyType);
            }
        }
        // Enough warm-up for the JIT to compile the copy path (small blocks) and about 256 MiB moved (large ones).
        int warmup = (int) Math.max(3, Math.min(20_000, (256L << 20) / bytes));
        for (int i = 0; i < warmup; i++) {
            once(space, direction, elements, local, global, block);
        }
        int count = this.count > 0 ? this.count : (int) Math.max(10, Math.min(100_000, (2L << 30) / bytes));
        long[] latencies = new long[count];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            once(space, direction, elements, local, global, block);
            latencies[i] = System.nanoTime() - t0;
        }
        long totalNs = System.nanoTime() - start;
        long wrong;
        if (direction.put) {
            MemorySegment back = check.asSlice(0, bytes);
            back.fill((byte) 0);
            space.copy(global, back, bytes, CopyType.G2H);
            wrong = Patterns.wrongBytes(back, seed);
        } else {
            wrong = Patterns.wrongBytes(local, seed);
        }
        if (!report) {
            return;
        }
        Arrays.sort(latencies);
        System.out.println("result type=" + direction.wireName() + " rank=0 target=" + target
                + " route=" + (direction.remote ? routeName(space, target) : "local") + " block=" + block
                + " batch=" + batch + " count=" + count + " bytes=" + bytes * (long) count + " ns=" + totalNs
                + " p50ns=" + latencies[count / 2] + " p99ns=" + latencies[Math.min(count - 1, count * 99 / 100)]
                + " wrong=" + wrong);
    }

    private void once(BigMemorySpace space, BmDirection direction, BigMemoryBatch elements, MemorySegment local,
                      long global, long block) {
        if (batch == 1) {
            if (direction.put) {
                space.copy(local, global, block, direction.copyType);
            } else {
                space.copy(global, local, block, direction.copyType);
            }
        } else {
            space.copyBatch(elements);
        }
    }

    private static String routeName(BigMemorySpace space, int target) {
        String how = space.routeTo(target);
        int colon = how.indexOf(':');
        return colon < 0 ? how : how.substring(0, colon);
    }
}
