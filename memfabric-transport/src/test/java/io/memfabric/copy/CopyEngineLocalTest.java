package io.memfabric.copy;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmSlot;
import io.memfabric.transport.Space;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two or three engines in this JVM, each with its own slots: every route and direction, quickly. */
@Timeout(60)
class CopyEngineLocalTest {
    private static final long SLOT = 8L << 20;
    private static final long STRIDE = 16L << 20;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final String fabric = "lt" + ProcessHandle.current().pid() + "x" + System.nanoTime() % 100000;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private CopyEngine engine(int rank, Route forced) {
        ShmSlot host = ShmSlot.create(fabric, "o", rank, MemoryType.HOST, SLOT);
        closeables.add(host);
        ShmSlot device = ShmSlot.create(fabric, "o", rank, MemoryType.DEVICE, SLOT / 2);
        closeables.add(device);
        CopyEngineOptions options = CopyEngineOptions.builder().forceRoute(forced).build();
        CopyEngine engine = CopyEngine.start(options, rank, HostId.current(), AddressSpace.of(4, STRIDE, STRIDE),
                List.<MemoryRegion>of(host, device));
        closeables.add(engine);
        return engine;
    }

    private static MemorySegment slotOf(CopyEngine engine, MemoryType type) {
        // The engine's own slots, reached through its own copy path: read the whole slot.
        long size = engine.layout().backedBytes(engine.rank(), type);
        MemorySegment all = Arena.ofAuto().allocate(size);
        engine.read(engine.layout().peerBase(engine.rank(), type), all, size);
        return all;
    }

    static void fill(MemorySegment segment, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i + 8 <= segment.byteSize(); i += 8) {
            segment.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
        for (long i = segment.byteSize() & ~7L; i < segment.byteSize(); i++) {
            segment.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void everyDirectionShouldMoveTheRightBytesOverEachRoute(Route route) {
        CopyEngine a = engine(0, route);
        CopyEngine b = engine(1, route);
        CopyEngine c = engine(2, route);
        for (CopyEngine x : List.of(a, b, c)) {
            for (CopyEngine y : List.of(a, b, c)) {
                if (x != y) {
                    x.addPeer(y.localDescriptor());
                }
            }
        }
        assertEquals(route, a.routeTo(1), a.routeReason(1));
        AddressSpace layout = a.layout();
        long[] sizes = {1, 7, 64, 4095, 16 << 10, (16 << 10) + 1, 100_000, 1 << 20, (3 << 20) + 5};
        long[] offsets = {0, 1, 4093, 12345};
        for (MemoryType type : MemoryType.values()) {
            long slot = layout.backedBytes(1, type);
            for (long size : sizes) {
                for (long offset : offsets) {
                    if (offset + size > slot) {
                        continue;
                    }
                    long seed = size * 31 + offset;
                    MemorySegment src = Arena.ofAuto().allocate(size);
                    fill(src, seed);
                    long gva = layout.gva(1, type, offset);
                    a.write(src, gva, size);
                    MemorySegment back = Arena.ofAuto().allocate(size);
                    a.read(gva, back, size);
                    assertEquals(-1, back.mismatch(src), route + " " + type + " size=" + size + " off=" + offset);
                    // G2G rank 1 -> rank 2 (both remote to rank 0: a third-party push over tcp, or a mapped copy)
                    long dst = layout.gva(2, type, slot / 2 - offset - size > 0 ? 3 : 0);
                    if (3 + size <= layout.backedBytes(2, type)) {
                        a.copy(gva, dst, size);
                        MemorySegment viaC = Arena.ofAuto().allocate(size);
                        c.read(dst, viaC, size);
                        assertEquals(-1, viaC.mismatch(src), "G2G " + route + " " + type + " size=" + size);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void targetsShouldBeReachedByTheSamePathAsGlobalAddresses(Route route) {
        CopyEngine a = engine(0, route);
        CopyEngine b = engine(1, route);
        a.addPeer(b.localDescriptor());
        MemorySegment src = Arena.ofAuto().allocate(100_000);
        fill(src, 7);
        // A slot target (rank 1's DEVICE slot at an offset) is the same memory as its global address.
        a.targets().writeTo(src, 10, 1, Space.DEVICE_SLOT, 4096, 50_000);
        MemorySegment viaGva = Arena.ofAuto().allocate(50_000);
        a.read(a.layout().gva(1, MemoryType.DEVICE, 4096), viaGva, 50_000);
        assertEquals(-1, viaGva.mismatch(src.asSlice(10, 50_000)), route.wireName());
        MemorySegment back = Arena.ofAuto().allocate(60_000);
        a.targets().readFrom(1, Space.DEVICE_SLOT, 4096, back, 5_000, 50_000);
        assertEquals(-1, back.asSlice(5_000, 50_000).mismatch(src.asSlice(10, 50_000)), route.wireName());
        // This rank's own slot is a target too.
        a.targets().writeTo(src, 0, 0, Space.HOST_SLOT, 0, 1000);
        MemorySegment own = Arena.ofAuto().allocate(1000);
        a.targets().readFrom(0, Space.HOST_SLOT, 0, own, 0, 1000);
        assertEquals(-1, own.mismatch(src.asSlice(0, 1000)));
        // Out of range, checked before anything moves; a rank that is not a peer; a bad local range.
        AddressOutOfRangeException past = assertThrows(AddressOutOfRangeException.class,
                () -> a.targets().writeTo(src, 0, 1, Space.DEVICE_SLOT, SLOT / 2 - 10, 11));
        assertTrue(past.getMessage().contains("rank 1 DEVICE slot offset=" + (SLOT / 2 - 10) + " length=11"),
                past.getMessage());
        PeerLostException notPeer = assertThrows(PeerLostException.class,
                () -> a.targets().readFrom(2, Space.HOST_SLOT, 0, back, 0, 8));
        assertEquals(2, notPeer.rank());
        MemFabricException badLocal = assertThrows(MemFabricException.class,
                () -> a.targets().writeTo(src, 99_999, 1, Space.HOST_SLOT, 0, 2));
        assertEquals(ErrorCode.INVALID_PARAM, badLocal.code(), badLocal.getMessage());
    }

    @Test
    void registeredMemoryShouldBeATargetOverTcpAndCheckedWhereItIs() {
        CopyEngine a = engine(0, Route.TCP);
        CopyEngine b = engine(1, Route.TCP);
        a.addPeer(b.localDescriptor());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment region = arena.allocate(1 << 16, 8);
            b.register(region);
            MemorySegment src = Arena.ofAuto().allocate(1000);
            fill(src, 11);
            a.targets().writeTo(src, 0, 1, Space.REGISTERED, region.address() + 100, 1000);
            assertEquals(-1, region.asSlice(100, 1000).mismatch(src));
            MemorySegment back = Arena.ofAuto().allocate(1000);
            a.targets().readFrom(1, Space.REGISTERED, region.address() + 100, back, 0, 1000);
            assertEquals(-1, back.mismatch(src));
            // The peer's listener refuses a range outside its registered memory; nothing is written.
            MemFabricException outside = assertThrows(MemFabricException.class,
                    () -> a.targets().writeTo(src, 0, 1, Space.REGISTERED, region.address() + (1 << 16) - 10, 11));
            assertEquals(ErrorCode.ADDRESS_OUT_OF_RANGE, outside.code(), outside.getMessage());
            b.unregister(region);
            MemFabricException gone = assertThrows(MemFabricException.class,
                    () -> a.targets().readFrom(1, Space.REGISTERED, region.address(), back, 0, 8));
            assertEquals(ErrorCode.ADDRESS_OUT_OF_RANGE, gone.code(), gone.getMessage());
        }
    }

    @Test
    void outOfRangeShouldBeRefusedWithTheBounds() {
        CopyEngine a = engine(0, Route.TCP);
        CopyEngine b = engine(1, Route.TCP);
        a.addPeer(b.localDescriptor());
        long base = a.layout().peerBase(1, MemoryType.HOST);
        MemorySegment src = Arena.ofAuto().allocate(16);
        AddressOutOfRangeException e = assertThrows(AddressOutOfRangeException.class,
                () -> a.write(src, base + SLOT - 8, 16));
        assertTrue(e.getMessage().contains("exceeds rank 1 HOST slot"), e.getMessage());
        assertThrows(AddressOutOfRangeException.class, () -> a.read(base + SLOT + 100, src, 16));
        PeerLostException notPeer = assertThrows(PeerLostException.class, () -> a.read(base + 2 * SLOT, src, 16));
        assertTrue(notPeer.getMessage().contains("rank 2 is not available (never added as a peer)"),
                notPeer.getMessage());
        a.removePeer(1);
        PeerLostException lost = assertThrows(PeerLostException.class, () -> a.write(src, base, 16));
        assertEquals(ErrorCode.PEER_UNAVAILABLE, lost.code());
        assertEquals(1, lost.rank());
        MemFabricException bad = assertThrows(MemFabricException.class, () -> a.write(src, base, 17));
        assertEquals(ErrorCode.INVALID_PARAM, bad.code());
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void heapAndConfinedSegmentsShouldWorkAsLocalSides(Route route) {
        CopyEngine a = engine(0, route);
        CopyEngine b = engine(1, route);
        a.addPeer(b.localDescriptor());
        long gva = a.layout().gva(1, MemoryType.HOST, 333);
        int size = 100_003;
        MemorySegment expected = Patterns.pattern(size, 11);
        byte[] bytes = new byte[size];
        MemorySegment.copy(expected, 0, MemorySegment.ofArray(bytes), 0, size);
        a.write(MemorySegment.ofArray(bytes), gva, size);
        long[] longs = new long[size / 8 + 1];
        a.read(gva, MemorySegment.ofArray(longs), size);
        assertEquals(-1, MemorySegment.ofArray(longs).asSlice(0, size).mismatch(expected));
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment local = confined.allocate(size);
            a.read(gva, local, size);
            assertEquals(-1, local.mismatch(expected));
            a.write(local, gva + size, size);
            MemFabricException e = assertThrows(MemFabricException.class, () -> a.writeAsync(local, gva, size));
            assertEquals(ErrorCode.INVALID_PARAM, e.code());
            CopyBatch batch = new CopyBatch().addRead(gva, local, size).addWrite(local, gva + 2L * size, size);
            a.execute(batch);
        }
        MemorySegment back = Arena.ofAuto().allocate(size);
        a.read(gva + 2L * size, back, size);
        assertEquals(-1, back.mismatch(expected));
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void copiesShouldStayCorrectWhileAnotherPeerLeavesAndJoins(Route route) throws Exception {
        CopyEngine a = engine(0, route);
        CopyEngine b = engine(1, route);
        CopyEngine c = engine(2, route);
        a.addPeer(b.localDescriptor());
        a.addPeer(c.localDescriptor());
        long toC = a.layout().gva(2, MemoryType.HOST, 0);
        long toB = a.layout().gva(1, MemoryType.HOST, 0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong lostB = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                MemorySegment src = Patterns.pattern(4096, id);
                MemorySegment back = Arena.ofAuto().allocate(4096);
                try {
                    while (!stop.get()) {
                        a.write(src, toC + id * 4096L, 4096);
                        a.read(toC + id * 4096L, back, 4096);
                        assertEquals(-1, back.mismatch(src));
                        try {
                            a.write(src, toB + id * 4096L, 4096);
                        } catch (PeerLostException e) {
                            lostB.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (int i = 0; i < 30; i++) {
            a.removePeer(1);
            Thread.sleep(1);
            a.addPeer(b.localDescriptor());
            Thread.sleep(1);
        }
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a copy failed during membership changes", failure.get());
        }
        assertEquals(route, a.routeTo(1));
    }

    @ParameterizedTest
    @EnumSource(value = Route.class, names = {"SHM", "TCP"})
    void smallSyncCopiesShouldNotAllocate(Route route) {
        CopyEngine a = engine(0, route);
        CopyEngine b = engine(1, route);
        a.addPeer(b.localDescriptor());
        long gva = a.layout().gva(1, MemoryType.HOST, 64);
        MemorySegment src = Arena.ofShared().allocate(64);
        MemorySegment dst = Arena.ofShared().allocate(64);
        com.sun.management.ThreadMXBean bean =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        int ops = route == Route.TCP ? 5_000 : 200_000;
        for (int warm = 0; warm < 3; warm++) {
            for (int i = 0; i < ops; i++) {
                a.write(src, gva, 64);
                a.read(gva, dst, 64);
            }
        }
        long before = bean.getThreadAllocatedBytes(thread);
        for (int i = 0; i < ops; i++) {
            a.write(src, gva, 64);
            a.read(gva, dst, 64);
        }
        long allocated = bean.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < ops / 10, route + ": " + allocated + " bytes allocated by " + 2 * ops
                + " copies (expected: none in steady state)");
    }

    @Test
    void tcpBatchesShouldPipelineSmallElementsAndKeepEveryByte() {
        CopyEngine a = engine(0, Route.TCP);
        CopyEngine b = engine(1, Route.TCP);
        a.addPeer(b.localDescriptor());
        AddressSpace layout = a.layout();
        CopyBatch batch = new CopyBatch();
        List<MemorySegment> sources = new ArrayList<>();
        long offset = 0;
        long[] sizes = {1, 64, 4096, 16 << 10, (16 << 10) + 1, 100_000, 3, 20_000};
        for (int i = 0; i < 300; i++) {
            long size = sizes[i % sizes.length];
            MemorySegment src = i % 7 == 0 ? MemorySegment.ofArray(new long[(int) (size / 8 + 1)]).asSlice(0, size)
                    : Arena.ofAuto().allocate(size);
            fill(src, i);
            sources.add(src);
            batch.addWrite(src, layout.gva(1, MemoryType.HOST, offset), size);
            offset += size + 13;
        }
        a.execute(batch);
        batch.clear();
        List<MemorySegment> backs = new ArrayList<>();
        offset = 0;
        for (int i = 0; i < 300; i++) {
            MemorySegment back = Arena.ofAuto().allocate(sources.get(i).byteSize());
            backs.add(back);
            batch.addRead(layout.gva(1, MemoryType.HOST, offset), back, back.byteSize());
            offset += back.byteSize() + 13;
        }
        a.execute(batch);
        for (int i = 0; i < 300; i++) {
            assertEquals(-1, backs.get(i).mismatch(sources.get(i)), "element " + i);
        }
    }

    @Test
    void theListenerShouldRefuseRangesItsPeerWronglyBelievesBackedAndStayUsable() {
        CopyEngine a = engine(0, Route.TCP);
        CopyEngine b = engine(1, Route.TCP);
        PeerDescriptor real = b.localDescriptor();
        List<io.memfabric.memory.SlotDescriptor> inflated = new ArrayList<>();
        for (io.memfabric.memory.SlotDescriptor d : real.slots()) {
            inflated.add(new io.memfabric.memory.SlotDescriptor(d.backing(), d.name(), d.sizeBytes() * 2, d.type(),
                    d.rank(), d.pid(), d.hostId()));
        }
        a.addPeer(new PeerDescriptor(real.rank(), real.hostId(), real.pid(), real.dataAddress(), inflated,
                real.slotAddresses()));
        AddressSpace layout = a.layout();
        MemorySegment src = Patterns.pattern(100_000, 3);
        long beyond = layout.gva(1, MemoryType.HOST, SLOT + 10);
        AddressOutOfRangeException e = assertThrows(AddressOutOfRangeException.class,
                () -> a.write(src, beyond, src.byteSize()));
        assertTrue(e.getMessage().contains("refused by the peer"), e.getMessage());
        assertThrows(AddressOutOfRangeException.class, () -> a.read(beyond, src, 64));
        long inside = layout.gva(1, MemoryType.HOST, 0);
        a.write(src, inside, src.byteSize());
        CopyBatch batch = new CopyBatch().addWrite(src, inside, 64).addWrite(src, beyond, 64)
                .addWrite(src, inside + 64, 64);
        assertThrows(AddressOutOfRangeException.class, () -> a.execute(batch));
        MemorySegment back = Arena.ofAuto().allocate(128);
        a.read(inside, back, 128);
        assertEquals(-1, back.asSlice(64).mismatch(src.asSlice(0, 64)));
        assertEquals(Route.TCP, a.routeTo(1));
        assertTrue(!a.routeReason(1).contains("evicted"), a.routeReason(1));
    }
}
