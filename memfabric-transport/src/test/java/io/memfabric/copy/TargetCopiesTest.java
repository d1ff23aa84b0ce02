package io.memfabric.copy;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.RegionTable;
import io.memfabric.memory.ShmSlot;
import io.memfabric.nativeio.CrossMemoryAttach;
import io.memfabric.transport.Space;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Copies addressed by target (rank, space, address) between engines of this JVM: registered memory over each route
 * (cma through the peer's shared region table, tcp through its listener), partial batches whose bad elements fail
 * alone, and asynchronous target copies.
 */
@Timeout(60)
class TargetCopiesTest {
    private static final long SLOT = 4L << 20;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final String fabric = "tc" + ProcessHandle.current().pid() + "x" + System.nanoTime() % 100000;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private CopyEngine engine(int rank, Route forced) {
        ShmSlot host = ShmSlot.create(fabric, "o", rank, MemoryType.HOST, SLOT);
        closeables.add(host);
        ShmSlot table = ShmSlot.create(fabric, "regs", rank, MemoryType.HOST, RegionTable.bytesFor(64));
        closeables.add(table);
        CopyEngineOptions options = CopyEngineOptions.builder().forceRoute(forced).build();
        CopyEngine engine = CopyEngine.start(options, rank, HostId.current(), AddressSpace.of(4, SLOT, 0),
                List.<MemoryRegion>of(host), table);
        closeables.add(engine);
        return engine;
    }

    private MemorySegment registered(CopyEngine owner, long bytes) {
        Arena arena = Arena.ofShared();
        closeables.add(arena::close);
        MemorySegment region = arena.allocate(bytes, 64);
        owner.register(region);
        return region;
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void registeredMemoryShouldBeReachedAndCheckedOverEveryRoute(Route route) {
        if (route != Route.TCP) {
            Assumptions.assumeTrue(CrossMemoryAttach.probe().usable(), "cma is not usable here");
        }
        CopyEngine a = engine(0, route);
        CopyEngine b = engine(1, route);
        a.addPeer(b.localDescriptor());
        MemorySegment region = registered(b, 1 << 20);
        MemorySegment src = Patterns.pattern(300_000, 5);
        a.targets().writeTo(src, 0, 1, Space.REGISTERED, region.address() + 4096, src.byteSize());
        assertEquals(-1, region.asSlice(4096, src.byteSize()).mismatch(src), route.wireName());
        MemorySegment back = Arena.ofAuto().allocate(src.byteSize());
        a.targets().readFrom(1, Space.REGISTERED, region.address() + 4096, back, 0, back.byteSize());
        assertEquals(-1, back.mismatch(src), route.wireName());

        // One byte past the region: refused before any byte moves, whoever checks (the table, or the listener).
        region.fill((byte) 0);
        AddressOutOfRangeException past = assertThrows(AddressOutOfRangeException.class, () -> a.targets().writeTo(
                src, 0, 1, Space.REGISTERED, region.address() + (1 << 20) - 100, 101));
        assertTrue(past.getMessage().contains("rank 1"), past.getMessage());
        assertEquals(-1, region.mismatch(MemorySegment.ofArray(new byte[1 << 20])), "nothing was written");

        // After unregister, the region is gone for every route.
        b.unregister(region);
        assertThrows(AddressOutOfRangeException.class,
                () -> a.targets().readFrom(1, Space.REGISTERED, region.address(), back, 0, 8));
    }

    @Test
    void aPartialBatchShouldRunEveryGoodElementAndRecordEachFailure() {
        CopyEngine a = engine(0, Route.TCP);
        CopyEngine b = engine(1, Route.TCP);
        a.addPeer(b.localDescriptor());
        MemorySegment region = registered(b, 1 << 16);
        MemorySegment src = Patterns.pattern(1 << 16, 9);
        CopyBatch batch = new CopyBatch();
        for (int i = 0; i < 16; i++) {
            long address = i == 5 ? region.address() + (1 << 16) : region.address() + i * 4096L;
            batch.addWriteTo(src, i * 4096L, 1, Space.REGISTERED, address, 4096);
        }
        batch.addWriteTo(src, 0, 3, Space.HOST_SLOT, 0, 64);          // rank 3 is not a peer
        batch.addWriteTo(src, 0, 1, Space.HOST_SLOT, SLOT - 10, 64);  // past rank 1's slot
        assertEquals(3, a.executePartial(batch));
        for (int i = 0; i < 16; i++) {
            if (i == 5) {
                assertInstanceOf(AddressOutOfRangeException.class, batch.failure(i));
                continue;
            }
            assertNull(batch.failure(i), "element " + i);
            assertEquals(-1, region.asSlice(i * 4096L, 4096).mismatch(src.asSlice(i * 4096L, 4096)), "element " + i);
        }
        assertInstanceOf(PeerLostException.class, batch.failure(16));
        assertEquals(ErrorCode.ADDRESS_OUT_OF_RANGE, batch.failure(17).code());

        // All or nothing: the same batch fails before anything moves.
        region.fill((byte) 0);
        assertThrows(MemFabricException.class, () -> a.execute(batch));
        assertEquals(-1, region.mismatch(MemorySegment.ofArray(new byte[1 << 16])), "nothing was written");
    }

    @Test
    void asynchronousTargetCopiesShouldCompleteThroughTheirHandles() {
        CopyEngine a = engine(0, Route.TCP);
        CopyEngine b = engine(1, Route.TCP);
        a.addPeer(b.localDescriptor());
        MemorySegment region = registered(b, 1 << 20);
        MemorySegment src = Patterns.pattern(1 << 20, 13);
        CopyHandle write = a.targets().writeToAsync(src, 0, 1, Space.REGISTERED, region.address(), src.byteSize());
        write.await();
        assertEquals(-1, region.mismatch(src));
        MemorySegment back = Arena.ofShared().allocate(1 << 20);
        a.targets().readFromAsync(1, Space.REGISTERED, region.address(), back, 0, back.byteSize()).await();
        assertEquals(-1, back.mismatch(src));
        CopyHandle bad = a.targets().writeToAsync(src, 0, 1, Space.REGISTERED, region.address() + 1, src.byteSize());
        MemFabricException e = assertThrows(MemFabricException.class, bad::await);
        assertEquals(ErrorCode.ADDRESS_OUT_OF_RANGE, e.code());
        assertThrows(MemFabricException.class, a::awaitAll, "awaitAll reports the failure of the last one");
    }
}
