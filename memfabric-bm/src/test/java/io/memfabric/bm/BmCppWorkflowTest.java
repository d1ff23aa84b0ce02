package io.memfabric.bm;

import io.memfabric.common.CloseHelper;
import io.memfabric.memory.MemoryType;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Upstream's BM example ({@code example/bm/BmCpp}, upstream-api §9) with four ranks on threads of one JVM, each its
 * own {@link BigMemory} with an explicit rank: H2G of generated data into its own DEVICE slot (second half), G2G from
 * there to the next rank's DEVICE (first half) and HOST slots, barrier, then check its own HOST slot by direct reads
 * and its own DEVICE slot through G2H. This is the workflow {@code memfabric demo} runs.
 */
@Timeout(60)
class BmCppWorkflowTest {
    private static final int RANKS = 4;
    private static final long BLOCK = 1L << 20;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private StoreServer server;

    @BeforeEach
    void setUp() {
        server = StoreServer.start(StoreServerOptions.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .build());
    }

    @AfterEach
    void tearDown() {
        CloseHelper.quietClose(server);
    }

    @Test
    void shouldRunTheUpstreamExampleWorkflow() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RANKS);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int r = 0; r < RANKS; r++) {
                int rank = r;
                results.add(pool.submit(() -> rank(rank)));
            }
            for (int r = 0; r < RANKS; r++) {
                assertEquals(0L, results.get(r).get(), "wrong bytes at rank " + r);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** @return the number of wrong bytes this rank found. */
    private long rank(int rank) {
        BigMemoryOptions options = BigMemoryOptions.builder().autoRanking(false).rankId(rank)
                .startConfigStoreServer(false).controlOperationTimeout(WAIT).build();
        try (BigMemory bm = BigMemory.init(server.url().toString(), RANKS, options);
             BigMemorySpace space = bm.create(0, CreateOptions.of(BLOCK, 2 * BLOCK));
             Arena arena = Arena.ofShared()) {
            space.join();
            space.awaitMembers(RANKS, WAIT);
            int next = (rank + 1) % RANKS;
            int prev = (rank + RANKS - 1) % RANKS;
            MemorySegment data = generate(arena.allocate(BLOCK), rank);
            long ownDevice = space.peerAddress(rank, MemoryType.DEVICE);
            space.copy(data, ownDevice + BLOCK, BLOCK, CopyType.H2G);
            space.copy(ownDevice + BLOCK, space.peerAddress(next, MemoryType.DEVICE), BLOCK, CopyType.G2G);
            space.copy(ownDevice + BLOCK, space.peerAddress(next, MemoryType.HOST), BLOCK, CopyType.G2G);
            space.barrier();

            MemorySegment expected = generate(arena.allocate(BLOCK), prev);
            long wrong = countWrong(expected, space.localSegment(MemoryType.HOST));
            MemorySegment fromDevice = arena.allocate(BLOCK);
            space.copy(ownDevice, fromDevice, BLOCK, CopyType.G2H);
            wrong += countWrong(expected, fromDevice);
            space.barrier(); // Nobody leaves while another rank may still read from it.
            return wrong;
        }
    }

    private static MemorySegment generate(MemorySegment segment, int rank) {
        for (long i = 0; i < segment.byteSize(); i += Integer.BYTES) {
            segment.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) (i / Integer.BYTES) * 31 + rank);
        }
        return segment;
    }

    private static long countWrong(MemorySegment expected, MemorySegment actual) {
        long wrong = 0;
        for (long i = 0; i < expected.byteSize(); i++) {
            if (expected.get(ValueLayout.JAVA_BYTE, i) != actual.get(ValueLayout.JAVA_BYTE, i)) {
                wrong++;
            }
        }
        return wrong;
    }
}
