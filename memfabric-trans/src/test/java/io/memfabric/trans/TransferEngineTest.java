package io.memfabric.trans;

import io.memfabric.common.CloseHelper;
import io.memfabric.copy.Route;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Engines of one JVM around a store started by the test: the API's behaviour, quickly, over every route. */
@Timeout(120)
class TransferEngineTest {
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

    private TransferEngine open(Role role, Route route) {
        String session = "127.0.0.1:" + FreePorts.next();
        TransferEngine engine = TransferEngine.open(server.url().toString(), session, role,
                TransferEngineOptions.builder().poolBytes(64L << 20)
                        .copyEngine(b -> b.forceRoute(route)).build());
        closeables.add(engine);
        return engine;
    }

    static MemorySegment pattern(Arena arena, long length, long seed) {
        MemorySegment s = arena.allocate(length, 1);
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        return s;
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void aSenderShouldWriteAndReadARegisteredAndAnAllocatedBufferOverEachRoute(Route route) {
        TransferEngine sender = open(Role.SENDER, route);
        TransferEngine receiver = open(Role.RECEIVER, route);
        // User memory of odd alignment and size, registered by address and length.
        MemorySegment backing = arena.allocate(1 << 20, 64);
        MemorySegment odd = backing.asSlice(3, 999_983);
        receiver.registerMemory(odd.address(), odd.byteSize());
        MemorySegment data = pattern(arena, 500_001, 1);
        sender.write(receiver.sessionId(), data, odd.address() + 7, data.byteSize());
        assertEquals(-1, odd.asSlice(7, data.byteSize()).mismatch(data), route.wireName());
        MemorySegment back = arena.allocate(data.byteSize());
        sender.read(receiver.sessionId(), back, odd.address() + 7, back.byteSize());
        assertEquals(-1, back.mismatch(data), route.wireName());

        MemorySegment block = receiver.allocate(3 << 20);
        sender.write(receiver.sessionId(), data, block.address() + (2 << 20), data.byteSize());
        assertEquals(-1, block.asSlice(2 << 20, data.byteSize()).mismatch(data), route.wireName());
        receiver.free(block);
        assertThrows(AddressOutOfRangeException.class,
                () -> sender.write(receiver.sessionId(), data, block.address(), 64), "a freed block");
    }

    @Test
    void outOfRangeUnknownPeersAndRolesShouldBeTypedErrorsThatTouchNothing() {
        TransferEngine sender = open(Role.SENDER, null);
        TransferEngine other = open(Role.SENDER, null);
        TransferEngine receiver = open(Role.RECEIVER, null);
        MemorySegment region = arena.allocate(4096, 64);
        receiver.registerMemory(region);
        MemorySegment data = pattern(arena, 4096, 2);
        AddressOutOfRangeException past = assertThrows(AddressOutOfRangeException.class,
                () -> sender.write(receiver.sessionId(), data, region.address() + 1, 4096));
        assertTrue(past.getMessage().contains(receiver.sessionId()), past.getMessage());
        assertTrue(past.getMessage().contains("length=4096"), past.getMessage());
        assertEquals(-1, region.mismatch(MemorySegment.ofArray(new byte[4096])), "nothing was written");

        PeerLostException unknown = assertThrows(PeerLostException.class,
                () -> sender.write("127.0.0.1:1234", data, region.address(), 8));
        assertTrue(unknown.getMessage().contains("127.0.0.1:1234"), unknown.getMessage());
        ConfigurationException malformed = assertThrows(ConfigurationException.class,
                () -> sender.write("localhost:80", data, region.address(), 8));
        assertTrue(malformed.getMessage().contains("localhost:80"), malformed.getMessage());
        ConfigurationException unseen = assertThrows(ConfigurationException.class,
                () -> sender.write(other.sessionId(), data, region.address(), 8));
        assertTrue(unseen.getMessage().contains("SENDER"), unseen.getMessage());
        assertThrows(ConfigurationException.class, () -> sender.write(sender.sessionId(), data, 1, 8));
    }

    @Test
    void anUnregisteredRegionShouldNoLongerBeReachable() {
        TransferEngine sender = open(Role.SENDER, null);
        TransferEngine receiver = open(Role.RECEIVER, null);
        MemorySegment region = arena.allocate(1 << 16, 64);
        receiver.registerMemory(region);
        MemorySegment data = pattern(arena, 1 << 16, 3);
        sender.write(receiver.sessionId(), data, region.address(), data.byteSize());
        receiver.unregisterMemory(region);
        MemFabricException e = assertThrows(MemFabricException.class,
                () -> sender.write(receiver.sessionId(), data, region.address(), 64));
        assertEquals(ErrorCode.ADDRESS_OUT_OF_RANGE, e.code(), e.getMessage());
        assertThrows(ConfigurationException.class, () -> receiver.unregisterMemory(region), "not registered now");
    }

    @Test
    void aBatchShouldReportEachElementAndMoveEveryGoodOne() {
        TransferEngine sender = open(Role.SENDER, Route.TCP);
        TransferEngine receiver = open(Role.RECEIVER, Route.TCP);
        MemorySegment kv = receiver.allocate(61 * (144 << 10));
        MemorySegment local = pattern(arena, kv.byteSize(), 4);
        TransferBatch batch = new TransferBatch();
        long offset = 0;
        for (int layer = 0; layer < 61; layer++) {
            batch.add(local, offset, kv.address() + offset, 128 << 10);
            offset += 128 << 10;
            batch.add(local, offset, kv.address() + offset, 16 << 10);
            offset += 16 << 10;
        }
        batch.add(local, 0, kv.address() + kv.byteSize() - 8, 64); // past the block
        assertEquals(1, sender.batchWrite(receiver.sessionId(), batch));
        assertEquals(-1, kv.mismatch(local));
        for (int i = 0; i < 122; i++) {
            assertEquals(TransferBatch.OK, batch.status(i), "element " + i);
            assertNull(batch.failure(i));
        }
        assertEquals(ErrorCode.ADDRESS_OUT_OF_RANGE.value(), batch.status(122));
        assertTrue(batch.failure(122).contains("element 122"), batch.failure(122));

        MemorySegment back = arena.allocate(kv.byteSize());
        TransferBatch reads = new TransferBatch();
        reads.add(back, kv.address());
        TransferHandle handle = sender.batchReadAsync(receiver.sessionId(), reads);
        CompletableFuture<Void> done = handle.toCompletableFuture();
        done.join();
        assertEquals(TransferBatch.OK, reads.status(0));
        assertEquals(-1, back.mismatch(local));
    }

    @Test
    void asynchronousTransfersShouldComposeWithFutures() throws Exception {
        TransferEngine sender = open(Role.BOTH, null);
        TransferEngine receiver = open(Role.BOTH, null);
        MemorySegment region = arena.allocate(1 << 20, 64);
        receiver.registerMemory(region);
        MemorySegment data = pattern(arena, 1 << 20, 5);
        CompletableFuture<Void> written = sender.writeAsync(receiver.sessionId(), data, region.address(),
                data.byteSize()).toCompletableFuture();
        written.get(30, TimeUnit.SECONDS);
        assertEquals(-1, region.mismatch(data));
        // BOTH sees BOTH, either way.
        sender.registerMemory(data);
        MemorySegment back = arena.allocate(1 << 20);
        receiver.readAsync(sender.sessionId(), back, data.address(), data.byteSize()).await();
        assertEquals(-1, back.mismatch(data));
        CompletableFuture<Void> failed = sender.writeAsync(receiver.sessionId(), data, region.address() + 1,
                data.byteSize()).toCompletableFuture();
        Exception e = assertThrows(Exception.class, () -> failed.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof AddressOutOfRangeException, e.toString());
    }

    @ParameterizedTest
    @EnumSource(Route.class)
    void twoEnginesWithoutAStoreShouldFindEachOtherByTheirSessionsAlone(Route route) {
        TransferEngineOptions options = TransferEngineOptions.builder().poolBytes(64L << 20)
                .copyEngine(b -> b.forceRoute(route)).build();
        TransferEngine sender = TransferEngine.openWithoutStore("127.0.0.1:" + FreePorts.next(), Role.SENDER,
                options);
        closeables.add(sender);
        TransferEngine receiver = TransferEngine.openWithoutStore("127.0.0.1:" + FreePorts.next(), Role.RECEIVER,
                options);
        closeables.add(receiver);
        MemorySegment block = receiver.allocate(1 << 20);
        MemorySegment region = arena.allocate(1 << 20, 64);
        receiver.registerMemory(region);
        MemorySegment data = pattern(arena, 1 << 20, 6);
        sender.write(receiver.sessionId(), data, block.address(), data.byteSize());
        sender.write(receiver.sessionId(), data, region.address(), data.byteSize());
        assertEquals(-1, block.mismatch(data), route.wireName());
        assertEquals(-1, region.mismatch(data), route.wireName());
        MemorySegment back = arena.allocate(1 << 20);
        sender.read(receiver.sessionId(), back, block.address(), back.byteSize());
        assertEquals(-1, back.mismatch(data), route.wireName());
        assertThrows(AddressOutOfRangeException.class,
                () -> sender.write(receiver.sessionId(), data, region.address() + 1, data.byteSize()));
        PeerLostException nobody = assertThrows(PeerLostException.class,
                () -> sender.write("127.0.0.1:" + FreePorts.next(), data, region.address(), 8));
        assertTrue(nobody.getMessage().contains("unknown"), nobody.getMessage());
        // The other way round too: a RECEIVER sees SENDERs (the sender registered nothing at that address).
        assertThrows(AddressOutOfRangeException.class, () -> receiver.write(sender.sessionId(), data, 4096, 8));
    }

    @Test
    void aSessionShouldKeepItsRankAcrossAReopenAndPeersShouldSeeItGoDown() throws Exception {
        TransferEngine sender = open(Role.SENDER, null);
        String session = "127.0.0.1:" + FreePorts.next();
        TransferEngineOptions options = TransferEngineOptions.builder().poolBytes(64L << 20).build();
        TransferEngine receiver = TransferEngine.open(server.url().toString(), session, Role.RECEIVER, options);
        int rank = receiver.rank();
        MemorySegment region = arena.allocate(4096, 64);
        receiver.registerMemory(region);
        LinkedBlockingQueue<String> down = new LinkedBlockingQueue<>();
        sender.onPeerDown(down::add);
        sender.write(session, region, region.address(), 64);
        receiver.close();
        assertEquals(session, down.poll(30, TimeUnit.SECONDS));
        assertThrows(PeerLostException.class, () -> sender.write(session, region, region.address(), 64));
        TransferEngine again = TransferEngine.open(server.url().toString(), session, Role.RECEIVER, options);
        closeables.add(again);
        assertEquals(rank, again.rank());
        again.registerMemory(region);
        sender.write(session, region, region.address(), 64);
        assertNotEquals(-1, again.rank());
    }
}
