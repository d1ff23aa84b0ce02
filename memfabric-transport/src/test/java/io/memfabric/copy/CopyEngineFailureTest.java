package io.memfabric.copy;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmSlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Ranks on "different hosts" ({@code MEMFABRIC_HOST_ID} set per child): tcp is chosen by itself; a rank killed with
 * SIGKILL mid-transfer makes the copies in flight and later copies to it fail with {@code PEER_UNAVAILABLE}, while
 * the survivors keep working.
 */
@Timeout(120)
class CopyEngineFailureTest {
    private static final long HOST_BYTES = 40L << 20;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private CopyEngine rankZero(CrossProcessFixture ranks) {
        ShmSlot slot = ShmSlot.create(ranks.fabric + "r0", "t", 0, MemoryType.HOST, 1L << 20);
        closeables.add(slot);
        CopyEngineOptions options = CopyEngineOptions.builder().peerTimeout(Duration.ofSeconds(10)).build();
        AddressSpace layout = AddressSpace.of(4, CrossProcessFixture.STRIDE, CrossProcessFixture.STRIDE);
        CopyEngine engine = CopyEngine.start(options, 0, HostId.current(), layout, List.<MemoryRegion>of(slot));
        closeables.add(engine);
        engine.addPeer(ranks.descriptor(1));
        engine.addPeer(ranks.descriptor(2));
        return engine;
    }

    @Test
    void killedRankShouldFailInFlightAndLaterCopiesWhileSurvivorsKeepWorking() throws Exception {
        CrossProcessFixture ranks = new CrossProcessFixture("CopyEngineFailureTest", 4, HOST_BYTES, 0,
                "host-b", "host-c");
        closeables.add(ranks);
        CopyEngine engine = rankZero(ranks);
        assertEquals(Route.TCP, engine.routeTo(1));
        assertTrue(engine.routeReason(1).contains("host-b"), engine.routeReason(1));
        assertEquals("ROUTE tcp", ranks.call(1, "ROUTE 2"));
        AddressSpace layout = engine.layout();
        MemorySegment block = Arena.ofShared().allocate(32L << 20);
        Patterns.fill(block, 99);
        long target = layout.gva(2, MemoryType.HOST, 0);
        engine.write(block, target, block.byteSize());

        // Keep transfers to rank 2 in flight, then kill it.
        List<CopyHandle> inFlight = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            inFlight.add(engine.writeAsync(block, target, block.byteSize()));
        }
        ranks.process(2).kill();
        int failed = 0;
        for (CopyHandle h : inFlight) {
            try {
                h.await();
            } catch (PeerLostException e) {
                assertEquals(ErrorCode.PEER_UNAVAILABLE, e.code());
                assertEquals(2, e.rank());
                failed++;
            }
        }
        assertTrue(failed > 0, "at least the copies started after the kill fail");
        MemorySegment small = Patterns.pattern(64, 5);
        // Later copies fail too, without waiting for a timeout (the loss is remembered).
        for (int i = 0; i < 3; i++) {
            PeerLostException later = assertThrows(PeerLostException.class, () -> engine.write(small, target, 64));
            assertEquals(ErrorCode.PEER_UNAVAILABLE, later.code());
        }
        MemFabricException viaPush = assertThrows(MemFabricException.class,
                () -> engine.copy(layout.gva(1, MemoryType.HOST, 0), target, 64));
        assertEquals(ErrorCode.PEER_UNAVAILABLE, viaPush.code(), viaPush.getMessage());
        assertTrue(engine.routeReason(2).contains("evicted"), engine.routeReason(2));

        // The survivor keeps working.
        long survivor = layout.gva(1, MemoryType.HOST, 12345);
        engine.write(block, survivor, 1 << 20);
        assertEquals(Patterns.crc(block.asSlice(0, 1 << 20)), ranks.crc(1, "host", 12345, 1 << 20));
        engine.removePeer(2);
        assertThrows(PeerLostException.class, () -> engine.read(target, small, 64));
        try {
            engine.awaitAll();
            fail("awaitAll reports the failures of async copies");
        } catch (PeerLostException expected) {
            assertEquals(2, expected.rank());
        }
    }
}
