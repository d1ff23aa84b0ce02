package io.memfabric.copy;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmSlot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three ranks on one host: this JVM (rank 0) and two child JVMs (ranks 1 and 2). Every route is forced in turn for
 * copies from rank 0; bytes are checked with checksums computed where they land.
 */
@Timeout(120)
class CopyEngineCrossProcessTest {
    private static final long HOST_BYTES = 72L << 20;
    private static final long DEVICE_BYTES = 1L << 20;
    private static CrossProcessFixture ranks;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startRanks() {
        ranks = new CrossProcessFixture("CopyEngineCrossProcessTest", 4, HOST_BYTES, DEVICE_BYTES, null, null);
    }

    @AfterAll
    static void stopRanks() {
        if (ranks != null) {
            ranks.close();
        }
    }

    @AfterEach
    void closeEngine() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        CrossProcessFixture.deleteSlotFiles(ranks.fabric + "r0");
    }

    private CopyEngine rankZero(Route route) {
        ShmSlot slot = ShmSlot.create(ranks.fabric + "r0", "t", 0, MemoryType.HOST, 4L << 20);
        closeables.add(slot);
        CopyEngineOptions options = CopyEngineOptions.builder().forceRoute(route)
                .peerTimeout(Duration.ofSeconds(10)).build();
        AddressSpace layout = AddressSpace.of(4, CrossProcessFixture.STRIDE, CrossProcessFixture.STRIDE);
        CopyEngine engine = CopyEngine.start(options, 0, HostId.current(), layout, List.<MemoryRegion>of(slot));
        closeables.add(engine);
        engine.addPeer(ranks.descriptor(1));
        engine.addPeer(ranks.descriptor(2));
        return engine;
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void writeReadAndCopyShouldKeepEveryByteOverEachForcedRoute(Route route) {
        CopyEngine engine = rankZero(route);
        assertEquals(route, engine.routeTo(1), engine.routeReason(1));
        AddressSpace layout = engine.layout();
        long[][] cases = {{1, 0}, {1, 71}, {63, 3}, {4097, 4095}, {(1 << 20) + 3, 5}, {64L << 20, 7}};
        long seed = route.ordinal() * 1000;
        for (long[] c : cases) {
            long size = c[0];
            long offset = c[1];
            seed++;
            MemorySegment src = Patterns.pattern(size, seed);
            long expected = Patterns.crc(src);
            long gva = layout.gva(1, MemoryType.HOST, offset);
            engine.write(src, gva, size);
            assertEquals(expected, ranks.crc(1, "host", offset, size), route + " write size=" + size);
            MemorySegment back = Arena.ofAuto().allocate(size);
            engine.read(gva, back, size);
            assertEquals(-1, back.mismatch(src), route + " read size=" + size);
            // G2G between the two remote ranks: shm copies through both mappings; cma and tcp make rank 1 push.
            long dst = layout.gva(2, MemoryType.HOST, offset + 1);
            engine.copy(gva, dst, size);
            assertEquals(expected, ranks.crc(2, "host", offset + 1, size), route + " G2G size=" + size);
        }
        // DEVICE slots (emulated) and G2G between rank 0 and a remote rank, both ways.
        MemorySegment small = Patterns.pattern(12345, 77);
        long device = layout.gva(2, MemoryType.DEVICE, 999);
        engine.write(small, device, small.byteSize());
        assertEquals(Patterns.crc(small), ranks.crc(2, "device", 999, small.byteSize()));
        long own = layout.gva(0, MemoryType.HOST, 3);
        engine.copy(device, own, small.byteSize());
        long remote = layout.gva(1, MemoryType.DEVICE, 0);
        engine.copy(own, remote, small.byteSize());
        assertEquals(Patterns.crc(small), ranks.crc(1, "device", 0, small.byteSize()));
    }

    @Test
    void batchAndAsyncCopiesShouldCompleteOverTcp() {
        CopyEngine engine = rankZero(Route.TCP);
        AddressSpace layout = engine.layout();
        CopyBatch batch = new CopyBatch(2);
        List<MemorySegment> sources = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            MemorySegment src = Patterns.pattern(1000 + i * 777, 500 + i);
            sources.add(src);
            batch.addWrite(src, layout.gva(1 + i % 2, MemoryType.HOST, 100_000L * i), src.byteSize());
        }
        engine.execute(batch);
        for (int i = 0; i < 20; i++) {
            assertEquals(Patterns.crc(sources.get(i)),
                    ranks.crc(1 + i % 2, "host", 100_000L * i, sources.get(i).byteSize()), "element " + i);
        }
        // The same batch object again, as reads and third-party copies, submitted asynchronously.
        batch.clear();
        List<MemorySegment> backs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            MemorySegment back = Arena.ofShared().allocate(sources.get(i).byteSize());
            backs.add(back);
            batch.addRead(layout.gva(1 + i % 2, MemoryType.HOST, 100_000L * i), back, back.byteSize());
            batch.addCopy(layout.gva(1 + i % 2, MemoryType.HOST, 100_000L * i),
                    layout.gva(2 - i % 2, MemoryType.HOST, 10_000_000L + 100_000L * i), back.byteSize());
        }
        CopyHandle handle = engine.submit(batch);
        handle.await();
        assertEquals(CopyHandle.DONE, handle.poll());
        for (int i = 0; i < 20; i++) {
            assertEquals(-1, backs.get(i).mismatch(sources.get(i)), "read " + i);
            assertEquals(Patterns.crc(sources.get(i)),
                    ranks.crc(2 - i % 2, "host", 10_000_000L + 100_000L * i, sources.get(i).byteSize()), "copy " + i);
        }
        // Async writes large enough to be striped over both connections (>= 2 stripes of 16 MiB), and awaitAll.
        long bigBytes = 34L << 20;
        MemorySegment big = Arena.ofShared().allocate(bigBytes + 2);
        Patterns.fill(big, 4242);
        List<CopyHandle> handles = new ArrayList<>();
        for (int r = 1; r <= 2; r++) {
            handles.add(engine.writeAsync(big.asSlice(r), layout.gva(r, MemoryType.HOST, 20L << 20), bigBytes));
        }
        MemorySegment back = Arena.ofShared().allocate(bigBytes);
        handles.add(engine.readAsync(layout.gva(2, MemoryType.HOST, 0), Arena.ofShared().allocate(9999), 9999));
        engine.awaitAll();
        for (CopyHandle h : handles) {
            assertEquals(CopyHandle.DONE, h.poll());
        }
        for (int r = 1; r <= 2; r++) {
            assertEquals(Patterns.crc(big.asSlice(r, bigBytes)), ranks.crc(r, "host", 20L << 20, bigBytes));
        }
        engine.read(layout.gva(1, MemoryType.HOST, 20L << 20), back, bigBytes);
        assertEquals(-1, back.mismatch(big.asSlice(1, bigBytes)));
    }

    @Test
    void rangesShouldBeCheckedAndRemovedPeersShouldFailFast() {
        CopyEngine engine = rankZero(Route.TCP);
        AddressSpace layout = engine.layout();
        MemorySegment src = Patterns.pattern(64, 1);
        long end = layout.gva(1, MemoryType.HOST, HOST_BYTES - 32);
        AddressOutOfRangeException e = assertThrows(AddressOutOfRangeException.class,
                () -> engine.write(src, end, 64));
        assertTrue(e.getMessage().contains("rank 1 HOST slot"), e.getMessage());
        assertThrows(AddressOutOfRangeException.class, () -> engine.copy(end, layout.gva(2, MemoryType.HOST, 0), 64));
        engine.write(src, layout.gva(1, MemoryType.HOST, 0), 64);
        engine.removePeer(1);
        PeerLostException lost = assertThrows(PeerLostException.class,
                () -> engine.write(src, layout.gva(1, MemoryType.HOST, 0), 64));
        assertEquals(ErrorCode.PEER_UNAVAILABLE, lost.code());
        assertTrue(lost.getMessage().contains("removed"), lost.getMessage());
        CopyHandle h = engine.copyAsync(layout.gva(2, MemoryType.HOST, 0), layout.gva(2, MemoryType.HOST, 64), 64);
        h.await();
        assertThrows(PeerLostException.class, () -> engine.readAsync(layout.gva(1, MemoryType.HOST, 0),
                Arena.ofAuto().allocate(64), 64));
        engine.addPeer(ranks.descriptor(1));
        engine.write(src, layout.gva(1, MemoryType.HOST, 0), 64);
        assertEquals(Patterns.crc(src), ranks.crc(1, "host", 0, 64));
    }
}
