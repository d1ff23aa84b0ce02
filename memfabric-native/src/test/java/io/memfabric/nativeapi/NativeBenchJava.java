package io.memfabric.nativeapi;

import io.memfabric.bm.BigMemory;
import io.memfabric.bm.BigMemoryOptions;
import io.memfabric.bm.BigMemorySpace;
import io.memfabric.bm.CopyType;
import io.memfabric.bm.CreateOptions;
import io.memfabric.memory.MemoryType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;

/**
 * The Java side of {@code bin/bench-native}: the same rank, copies and figures as {@code bench_copy.c} and the Python
 * side, through the Java API (a segment of a shared arena, the fastest way Java holds local memory). Prints one
 * RESULT line. Not a test: run by the benchmark script.
 */
public final class NativeBenchJava {
    private static final long BIG = 64L << 20;
    private static final long SMALL = 64;

    private NativeBenchJava() {
    }

    /** @param args the store URL */
    public static void main(String[] args) {
        BigMemoryOptions options = BigMemoryOptions.builder().startConfigStoreServer(false).build();
        try (BigMemory bm = BigMemory.init(args[0], 2, options);
             BigMemorySpace space = bm.create(0, CreateOptions.of(BIG, BIG));
             Arena arena = Arena.ofShared()) {
            space.join();
            space.awaitMembers(2, Duration.ofSeconds(60));
            long target = space.peerAddress(1 - bm.rank(), MemoryType.HOST);
            MemorySegment buffer = arena.allocate(BIG);
            buffer.fill((byte) 1);
            for (int i = 0; i < 3; i++) {
                space.copy(buffer, target, BIG, CopyType.H2G);
            }
            double[] copies = new double[21];
            for (int i = 0; i < copies.length; i++) {
                long start = System.nanoTime();
                space.copy(buffer, target, BIG, CopyType.H2G);
                copies[i] = (double) BIG / (System.nanoTime() - start);
            }
            Arrays.sort(copies);
            double gbps = copies[copies.length / 2];
            for (int i = 0; i < 200_000; i++) {
                space.copy(buffer, target, SMALL, CopyType.H2G);
            }
            double[] rounds = new double[31];
            for (int r = 0; r < rounds.length; r++) {
                long begin = System.nanoTime();
                for (int i = 0; i < 10_000; i++) {
                    space.copy(buffer, target, SMALL, CopyType.H2G);
                }
                rounds[r] = (System.nanoTime() - begin) / 10_000.0 / 1000.0;
            }
            Arrays.sort(rounds);
            System.out.printf("RESULT java %.3f %.4f%n", gbps, rounds[rounds.length / 2]);
        }
    }
}
