package io.memfabric.bm;

import io.memfabric.common.CloseHelper;
import io.memfabric.copy.Route;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
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
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Several ranks in one JVM, each its own BigMemory, against a store started by the test. */
@Timeout(60)
class BigMemoryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private StoreServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Arena arena;

    @BeforeEach
    void setUp() {
        server = StoreServer.start(StoreServerOptions.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .build());
        arena = Arena.ofShared();
    }

    @AfterEach
    void tearDown() {
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        reversed.forEach(CloseHelper::quietClose);
        arena.close();
        server.close();
    }

    private BigMemory init(int worldSize) {
        BigMemory bm = BigMemory.init(server.url().toString(), worldSize, BigMemoryOptions.builder()
                .startConfigStoreServer(false).controlOperationTimeout(WAIT).build());
        closeables.add(bm);
        return bm;
    }

    private static MemorySegment pattern(Arena arena, long size, int seed) {
        MemorySegment segment = arena.allocate(size);
        for (long i = 0; i < size; i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return segment;
    }

    @Test
    void shouldCopyBetweenTwoRanksAndStopAtLeaveAndResumeAfterRejoin() {
        BigMemory a = init(2);
        BigMemory b = init(2);
        assertEquals(0, a.rank());
        assertEquals(1, b.rank());
        BigMemorySpace sa = a.create(0, CreateOptions.of(1 << 20, 1 << 20));
        BigMemorySpace sb = b.create(0, CreateOptions.of(1 << 20, 1 << 20));
        sa.join();
        sb.join();
        assertArrayEquals(new int[] {0, 1}, sa.awaitMembers(2, WAIT));
        assertArrayEquals(new int[] {0, 1}, sb.awaitMembers(2, WAIT));

        MemorySegment data = pattern(arena, 4099, 7);
        long dst = sa.peerAddress(1, MemoryType.DEVICE) + 13;
        sa.copy(data, dst, data.byteSize(), CopyType.L2G);
        assertEquals(-1, data.mismatch(sb.localSegment(MemoryType.DEVICE).asSlice(13, data.byteSize())));
        MemorySegment back = arena.allocate(data.byteSize());
        sb.copy(sb.peerAddress(1, MemoryType.DEVICE) + 13, back, back.byteSize(), CopyType.G2H);
        assertEquals(-1, data.mismatch(back));

        sb.leave();
        MemFabricException lost = assertThrows(MemFabricException.class,
                () -> sa.copy(data, dst, data.byteSize(), CopyType.L2G));
        assertEquals(ErrorCode.PEER_UNAVAILABLE, lost.code());
        sb.join();
        sa.copy(data, dst + 1000, data.byteSize(), CopyType.L2G);
        assertEquals(-1, data.mismatch(sb.localSegment(MemoryType.DEVICE).asSlice(1013, data.byteSize())));
    }

    @Test
    void shouldKeepCopiesCorrectWhileAThirdRankJoinsAndLeavesRepeatedly() throws Exception {
        BigMemorySpace[] spaces = new BigMemorySpace[3];
        for (int r = 0; r < 3; r++) {
            spaces[r] = init(3).create(0, CreateOptions.of(1 << 20, 1 << 20));
            closeables.add(spaces[r]);
        }
        spaces[0].join();
        spaces[1].join();
        spaces[0].awaitMembers(2, WAIT);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong rounds = new AtomicLong();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> copier = pool.submit(() -> {
                MemorySegment data = arena.allocate(8191);
                MemorySegment out = arena.allocate(8191);
                long peer = spaces[0].peerAddress(1, MemoryType.HOST) + 5;
                for (int i = 0; !stop.get(); i++) {
                    data.fill((byte) i);
                    spaces[0].copy(data, peer, data.byteSize(), CopyType.H2G);
                    spaces[0].copy(peer, out, out.byteSize(), CopyType.G2H);
                    assertEquals(-1, data.mismatch(out), "round " + i);
                    rounds.incrementAndGet();
                }
                return null;
            });
            MemorySegment probe = arena.allocate(64).fill((byte) 3);
            long third = spaces[0].peerAddress(2, MemoryType.DEVICE);
            for (int cycle = 0; cycle < 5; cycle++) {
                spaces[2].join();
                spaces[0].copy(probe, third, 64, CopyType.L2G); // reachable as soon as join() returned
                spaces[1].copy(third, out(64), 64, CopyType.G2L);
                spaces[2].leave();
                MemFabricException lost = assertThrows(MemFabricException.class,
                        () -> spaces[0].copy(probe, third, 64, CopyType.L2G));
                assertEquals(ErrorCode.PEER_UNAVAILABLE, lost.code());
            }
            long before = rounds.get();
            while (rounds.get() < before + 100) {
                Thread.onSpinWait();
            }
            stop.set(true);
            copier.get();
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    @Test
    void shouldCopyLargeConfinedSegmentsOverTcp() {
        long size = (33L << 20) + 5; // more than two tcp stripes of 16 MiB: the engine would stripe it over threads
        BigMemoryOptions tcp = BigMemoryOptions.builder().startConfigStoreServer(false).controlOperationTimeout(WAIT)
                .copyEngine(b -> b.forceRoute(Route.TCP)).build();
        BigMemorySpace[] spaces = new BigMemorySpace[2];
        for (int r = 0; r < 2; r++) {
            BigMemory bm = BigMemory.init(server.url().toString(), 2, tcp);
            closeables.add(bm);
            spaces[r] = bm.create(0, CreateOptions.of(size, 0));
            closeables.add(spaces[r]);
            spaces[r].join();
        }
        spaces[0].awaitMembers(2, WAIT);
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment data = confined.allocate(size);
            for (long i = 0; i + Long.BYTES <= size; i += 4096) {
                data.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 7 + 1);
            }
            long remote = spaces[0].peerAddress(1, MemoryType.HOST);
            spaces[0].copy(data, remote, size, CopyType.H2G);
            MemorySegment back = confined.allocate(size);
            spaces[0].copy(remote, back, size, CopyType.G2H);
            assertEquals(-1, data.mismatch(back));
            assertEquals(-1, data.mismatch(spaces[1].localSegment(MemoryType.HOST)));
        }
    }

    private MemorySegment out(long size) {
        return arena.allocate(size);
    }
}
