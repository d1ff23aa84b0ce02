package io.memfabric.examples;

// tag::imports[]
import io.memfabric.bm.BigMemory;
import io.memfabric.bm.BigMemoryOptions;
import io.memfabric.bm.BigMemorySpace;
import io.memfabric.bm.CopyType;
import io.memfabric.bm.CreateOptions;
import io.memfabric.memory.MemoryType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
// end::imports[]
import java.lang.foreign.ValueLayout;

/**
 * Pool and copy (upstream's BM example in small): every rank contributes a HOST and a DEVICE slot to one pool, copies
 * a block of its own data into the next rank's HOST slot by global address and reads it back, and after a barrier
 * checks, by reading its own slot directly, that the previous rank's block arrived intact.
 *
 * <p>Run one process per rank, all with the same arguments, {@code PoolAndCopy [storeUrl] [ranks]} (default
 * {@code tcp://127.0.0.1:7000 4}), with a config store listening at {@code storeUrl} ({@link ConfigStore}, or
 * {@code bin/memfabric store}). The store runs apart from the ranks so that they may end in any order: a rank that
 * hosts the store (BigMemory's {@code startConfigStoreServer}) must close last. Each rank prints one line,
 * {@code rank R: copied N bytes to rank S over shm|cma|tcp and back, found rank P's N bytes in its own slot, W wrong},
 * and exits with 1 when a byte is wrong.
 *
 * <p>Sizes: each rank's slots take {@code 2 * }{@value #SLOT_SIZE} bytes of {@code /dev/shm} (128 MiB for 4 ranks).
 */
public final class PoolAndCopy {
    /** Each rank's HOST and DEVICE slot, bytes (16 MiB). */
    static final long SLOT_SIZE = 16L << 20;
    /** What each rank copies to the next one, bytes (4 MiB). */
    static final long BLOCK_SIZE = 4L << 20;

    private PoolAndCopy() {
    }

    /**
     * @param args {@code [storeUrl] [ranks]}
     */
    public static void main(String[] args) {
        String storeUrl = args.length > 0 ? args[0] : "tcp://127.0.0.1:7000";
        int ranks = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        System.exit(run(storeUrl, ranks) == 0 ? 0 : 1);
    }

    /**
     * One rank's part of the example.
     *
     * @param storeUrl the config store, {@code tcp://ip:port}
     * @param ranks    the number of ranks (processes) taking part
     * @return the number of wrong bytes this rank found
     */
    static long run(String storeUrl, int ranks) {
        // tag::pool[]
        BigMemoryOptions options = BigMemoryOptions.builder()
                .startConfigStoreServer(false)                                            // the store runs apart
                .build();
        try (BigMemory bm = BigMemory.init(storeUrl, ranks, options);                     // rank assigned by the store
             BigMemorySpace pool = bm.create(0, CreateOptions.of(SLOT_SIZE, SLOT_SIZE));  // HOST, DEVICE slot sizes
             Arena arena = Arena.ofConfined()) {
            pool.join();                                                                  // collective with the members
            pool.awaitMembers(ranks, Duration.ofSeconds(60));                             // all ranks in: copy to any
            int rank = bm.rank();
            int nextRank = (rank + 1) % ranks;
            MemorySegment block = arena.allocate(BLOCK_SIZE);
            fill(block, rank);
            long next = pool.peerAddress(nextRank, MemoryType.HOST);                      // a global address: a long
            pool.copy(block, next, BLOCK_SIZE, CopyType.H2G);                             // shm, cma or tcp, per peer
            MemorySegment back = arena.allocate(BLOCK_SIZE);
            pool.copy(next, back, BLOCK_SIZE, CopyType.G2H);                              // and back again
            long wrong = wrongBytes(back, rank);
            String route = pool.routeTo(nextRank).split(":")[0];                          // which way: shm, cma or tcp
            pool.barrier();                                                               // every rank has copied
            int previous = (rank + ranks - 1) % ranks;
            MemorySegment own = pool.localSegment(MemoryType.HOST);                       // this rank's slot, directly
            wrong += wrongBytes(own.asSlice(0, BLOCK_SIZE), previous);
            System.out.println("rank " + rank + ": copied " + BLOCK_SIZE + " bytes to rank " + nextRank + " over "
                    + route + " and back, found rank " + previous + "'s " + BLOCK_SIZE + " bytes in its own slot, "
                    + wrong + " wrong");
            return wrong;
        }
        // end::pool[]
    }

    /** Writes rank {@code rank}'s pattern: byte {@code i} is {@code i * 7 + rank}, so a shifted block shows too. */
    static void fill(MemorySegment block, int rank) {
        for (long i = 0; i < block.byteSize(); i++) {
            block.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + rank));
        }
    }

    /** @return how many bytes of {@code block} differ from rank {@code rank}'s pattern. */
    static long wrongBytes(MemorySegment block, int rank) {
        long wrong = 0;
        for (long i = 0; i < block.byteSize(); i++) {
            if (block.get(ValueLayout.JAVA_BYTE, i) != (byte) (i * 7 + rank)) {
                wrong++;
            }
        }
        return wrong;
    }
}
