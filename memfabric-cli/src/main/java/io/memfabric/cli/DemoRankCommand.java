package io.memfabric.cli;

import io.memfabric.bm.BigMemory;
import io.memfabric.bm.BigMemorySpace;
import io.memfabric.bm.CopyType;
import io.memfabric.bm.CreateOptions;
import io.memfabric.cli.local.LocalRankOptions;
import io.memfabric.cli.local.Patterns;
import io.memfabric.memory.MemoryType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * One rank of {@code memfabric demo} (hidden): upstream's BmCpp workflow. Prints machine-readable lines on stdout
 * for the parent ({@code progress …}, {@code timing step=… bytes=… ns=…}, {@code verify check=… wrong=…},
 * {@code holding}). Exits as soon as the parent ends (its standard input ends), through {@code System.exit}, so the
 * slot files go with it; with {@code --hold}, it keeps its slots after the workflow until then.
 */
@Command(name = "demo-rank", hidden = true, description = "One rank of memfabric demo (started by it).")
final class DemoRankCommand implements Callable<Integer> {
    @Mixin
    LocalRankOptions local;

    @Option(names = "--size", required = true, converter = Converters.Size.class)
    long size;

    @Option(names = "--hold", description = "Keep the slots after the workflow until the parent ends.")
    boolean hold;

    /** Exit status of a rank whose parent went away: that of a process ended by SIGTERM. */
    static final int PARENT_GONE_EXIT = 143;

    /** Number of {@code progress} lines a rank prints (the parent's progress bar counts them). */
    static final int PROGRESS_STEPS = 6;

    @Override
    public Integer call() throws InterruptedException {
        int ranks = local.ranks();
        int rank = local.rank();
        long half = size / 2;
        int next = (rank + 1) % ranks;
        int previous = (rank + ranks - 1) % ranks;
        CountDownLatch parentGone = new CountDownLatch(1);
        LocalRankOptions.onParentEnd(() -> {
            if (hold) {
                parentGone.countDown();
            } else {
                System.exit(PARENT_GONE_EXIT);
            }
        });
        try (BigMemory bm = local.init();
             Arena arena = Arena.ofShared()) {
            progress("creating HOST and DEVICE slots of " + Sizes.format(size));
            BigMemorySpace space = bm.create(0, CreateOptions.builder().localHostSize(size).localDeviceSize(size)
                    .build());
            progress("joining");
            space.join();
            space.awaitMembers(ranks, Duration.ofSeconds(120));
            progress("joined; routes: " + routes(space));

            MemorySegment data = arena.allocate(half, 4096);
            Patterns.fill(data, rank);
            long ownDevice = space.peerAddress(rank, MemoryType.DEVICE);
            long nextDevice = space.peerAddress(next, MemoryType.DEVICE);
            long nextHost = space.peerAddress(next, MemoryType.HOST);

            progress("H2G: " + Sizes.format(half) + " of generated data into its own DEVICE slot");
            long t0 = System.nanoTime();
            space.copy(data, ownDevice + half, half, CopyType.H2G);
            timing("H2G own DEVICE", half, System.nanoTime() - t0);
            space.barrier();

            progress("G2G: to rank " + next + "'s DEVICE and HOST slots");
            t0 = System.nanoTime();
            space.copy(ownDevice + half, nextDevice, half, CopyType.G2G);
            timing("G2G next DEVICE", half, System.nanoTime() - t0);
            t0 = System.nanoTime();
            space.copy(ownDevice + half, nextHost, half, CopyType.G2G);
            timing("G2G next HOST", half, System.nanoTime() - t0);
            space.barrier();

            progress("verifying what rank " + previous + " wrote");
            MemorySegment ownHost = space.localSegment(MemoryType.HOST).asSlice(0, half);
            verify("direct read of own HOST slot", Patterns.wrongBytes(ownHost, previous));
            MemorySegment readBack = arena.allocate(half, 4096);
            t0 = System.nanoTime();
            space.copy(ownDevice, readBack, half, CopyType.G2H);
            timing("G2H own DEVICE", half, System.nanoTime() - t0);
            verify("G2H of own DEVICE slot", Patterns.wrongBytes(readBack, previous));
            space.barrier();
            if (hold) {
                System.out.println("holding");
                parentGone.await();
            }
            space.close();
        }
        System.out.println("done");
        return 0;
    }

    private String routes(BigMemorySpace space) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < local.ranks(); r++) {
            if (r != local.rank()) {
                String how = space.routeTo(r);
                int colon = how.indexOf(':');
                sb.append(sb.isEmpty() ? "" : ", ").append("r").append(r).append('=')
                        .append(colon < 0 ? how : how.substring(0, colon));
            }
        }
        return sb.toString();
    }

    private static void progress(String text) {
        System.out.println("progress " + text);
    }

    private static void timing(String step, long bytes, long nanos) {
        System.out.println("timing bytes=" + bytes + " ns=" + nanos + " step=" + step);
    }

    private static void verify(String check, long wrong) {
        System.out.println("verify wrong=" + wrong + " check=" + check);
    }
}
