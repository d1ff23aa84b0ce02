package io.memfabric.bm;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryType;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.testsupport.FreePorts;
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

import static io.memfabric.bm.OptionsTest.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public method's argument checks and lifecycle rules: upstream's {@code smem_bm_test.cpp} list (upstream-api
 * §11.1) in Java terms, and the copy-direction rules of §2.5. One JVM, a store started by the test.
 */
@Timeout(60)
class BigMemoryArgumentTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long HOST = 1 << 20;
    private static final long DEVICE = 1 << 19;

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

    private String url() {
        return server.url().toString();
    }

    private BigMemory init(int worldSize) {
        return track(BigMemory.init(url(), worldSize, options().build()));
    }

    private static BigMemoryOptions.Builder options() {
        return BigMemoryOptions.builder().startConfigStoreServer(false).controlOperationTimeout(WAIT);
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private BigMemorySpace space(BigMemory bm) {
        return track(bm.create(0, CreateOptions.of(HOST, DEVICE)));
    }

    private static void assertCode(ErrorCode code, Runnable call) {
        MemFabricException e = assertThrows(MemFabricException.class, call::run);
        assertEquals(code, e.code(), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------------ init

    @Test
    void shouldRejectBadInitArguments() {
        assertInvalid("store url='null'", () -> BigMemory.init(null, 1));
        assertInvalid("store url=''", () -> BigMemory.init("", 1));
        assertInvalid("unsupported scheme", () -> BigMemory.init("http://127.0.0.1:7000", 1));
        assertInvalid("port=80", () -> BigMemory.init("tcp://127.0.0.1:80", 1));
        assertInvalid("0.0.0.0", () -> BigMemory.init("tcp://0.0.0.0:7000", 1));
        assertInvalid("worldSize=0 (expected: 1..1024)", () -> BigMemory.init(url(), 0, options().build()));
        assertInvalid("worldSize=1025 (expected: 1..1024)", () -> BigMemory.init(url(), 1025, options().build()));
        assertInvalid("options=null", () -> BigMemory.init(url(), 1, null));
        assertInvalid("rankId=4 (expected: 0..3", () -> BigMemory.init(url(), 4, options().autoRanking(false)
                .rankId(4).build()));
    }

    @Test
    void shouldAssignRanksInArrivalOrderAndReuseFreedOnes() {
        BigMemory a = init(3);
        BigMemory b = init(3);
        BigMemory c = init(3);
        assertEquals(0, a.rank());
        assertEquals(1, b.rank());
        assertEquals(2, c.rank());
        assertEquals(3, a.worldSize());
        assertCode(ErrorCode.STORE_WORLD_SIZE_EXCEEDED, () -> init(3));
        b.close();
        assertEquals(1, init(3).rank());
    }

    @Test
    void shouldGrantOrRefuseAnExplicitRank() {
        BigMemory two = track(BigMemory.init(url(), 4, options().autoRanking(false).rankId(2).build()));
        assertEquals(2, two.rank());
        assertCode(ErrorCode.STORE_RANK_UNAVAILABLE, () -> track(BigMemory.init(url(), 4,
                options().autoRanking(false).rankId(2).build())));
        assertEquals(0, init(4).rank());
    }

    @Test
    void shouldStartTheStoreOnceWhenItsAddressIsLocalAndStopItOnClose() {
        String local = "tcp://127.0.0.1:" + FreePorts.next();
        BigMemoryOptions auto = BigMemoryOptions.builder().controlOperationTimeout(WAIT).build();
        BigMemory first = track(BigMemory.init(local, 2, auto));
        BigMemory second = track(BigMemory.init(local, 2, auto));
        assertTrue(first.startedStore());
        assertFalse(second.startedStore());
        assertEquals(0, first.rank());
        assertEquals(1, second.rank());
        second.close();
        first.close();
        // Nobody hosts the store any more: without auto-start, nothing answers.
        String notAnswering = local;
        assertCode(ErrorCode.STORE_IO_ERROR, () -> BigMemory.init(notAnswering, 2, options()
                .storeClient(b -> b.connectTimeout(Duration.ofMillis(300))).build()));
    }

    @Test
    void shouldStartTheStoreOnlyOnRankZeroWithoutAutoRanking() {
        String local = "tcp://127.0.0.1:" + FreePorts.next();
        BigMemoryOptions.Builder explicit = BigMemoryOptions.builder().controlOperationTimeout(WAIT)
                .autoRanking(false);
        // Rank 1 does not start the store, so it cannot connect until rank 0 has.
        assertCode(ErrorCode.STORE_IO_ERROR, () -> track(BigMemory.init(local, 2, explicit.rankId(1)
                .storeClient(b -> b.connectTimeout(Duration.ofMillis(300))).build())));
        BigMemory zero = track(BigMemory.init(local, 2, explicit.rankId(0).build()));
        assertTrue(zero.startedStore());
        BigMemory one = track(BigMemory.init(local, 2, explicit.rankId(1).build()));
        assertFalse(one.startedStore());
        assertEquals(1, one.rank());
    }

    // ---------------------------------------------------------------------------------------------------- create

    @Test
    void shouldRejectBadCreateArgumentsAndDuplicateIds() {
        BigMemory bm = init(2);
        assertInvalid("id=-1 (expected: 0..254)", () -> bm.create(-1, CreateOptions.of(HOST, 0)));
        assertInvalid("id=255 (expected: 0..254)", () -> bm.create(255, CreateOptions.of(HOST, 0)));
        assertInvalid("options=null", () -> bm.create(0, null));
        BigMemorySpace space = track(bm.create(7, CreateOptions.of(HOST, 0)));
        MemFabricException duplicate = assertThrows(MemFabricException.class,
                () -> bm.create(7, CreateOptions.of(HOST, 0)));
        assertEquals(ErrorCode.DUPLICATED_OBJECT, duplicate.code());
        assertTrue(duplicate.getMessage().contains("id=7"), duplicate.getMessage());
        space.close();
        track(bm.create(7, CreateOptions.of(HOST, 0))).close();
    }

    @Test
    void shouldRefuseEverythingAfterClose() {
        BigMemory bm = init(2);
        BigMemorySpace space = space(bm);
        MemorySegment local = arena.allocate(64);
        long gva = space.peerAddress(0, MemoryType.HOST);
        bm.close();
        bm.close();
        assertTrue(bm.isClosed());
        assertTrue(space.isClosed(), "closing the BigMemory closes its objects");
        assertCode(ErrorCode.NOT_INITIALIZED, () -> bm.create(1, CreateOptions.of(HOST, 0)));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.copy(local, gva, 64, CopyType.H2G));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.copy(gva, local, 64, CopyType.G2H));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.copy(gva, gva + 64, 64, CopyType.G2G));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.copyAsync(local, gva, 64, CopyType.H2G));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.copyBatch(new BigMemoryBatch().add(local, gva, 64,
                CopyType.H2G)));
        assertCode(ErrorCode.NOT_INITIALIZED, space::await);
        assertCode(ErrorCode.NOT_INITIALIZED, space::join);
        assertCode(ErrorCode.NOT_INITIALIZED, space::leave);
        assertCode(ErrorCode.NOT_INITIALIZED, space::barrier);
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.peerAddress(0, MemoryType.HOST));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.rankOf(gva));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.localSize(MemoryType.HOST));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.localSegment(MemoryType.HOST));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.register(local));
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.unregister(local));
        space.close();
    }

    @Test
    void shouldCloseAnObjectIdempotentlyAndFreeItsId() {
        BigMemory bm = init(1);
        BigMemorySpace space = space(bm);
        space.join();
        space.close();
        space.close();
        assertCode(ErrorCode.NOT_INITIALIZED, () -> space.localSize(MemoryType.HOST));
        BigMemorySpace again = space(bm);
        again.join();
        assertEquals(1, again.awaitMembers(1, WAIT).length);
    }

    // ------------------------------------------------------------------------------------------------- addresses

    @Test
    void shouldComputeAddressesAsUpstream() {
        BigMemory bm = init(4);
        BigMemorySpace space = track(bm.create(0, CreateOptions.builder().localHostSize(HOST).maxHostSize(HOST * 4)
                .localDeviceSize(DEVICE).build()));
        for (int r = 0; r < 4; r++) {
            long host = space.peerAddress(r, MemoryType.HOST);
            long device = space.peerAddress(r, MemoryType.DEVICE);
            assertEquals(AddressSpace.HOST_BASE + r * HOST * 4, host);
            assertEquals(AddressSpace.DEVICE_BASE + r * DEVICE, device);
            assertEquals(r, space.rankOf(host));
            assertEquals(r, space.rankOf(host + HOST * 4 - 1));
            assertEquals(r, space.rankOf(device + 17));
            assertEquals(MemoryType.HOST, space.typeOf(host));
            assertEquals(MemoryType.DEVICE, space.typeOf(device));
        }
        assertEquals(-1, space.rankOf(0));
        assertEquals(-1, space.rankOf(42));
        assertEquals(-1, space.rankOf(AddressSpace.HOST_BASE + 4 * HOST * 4), "past the last rank");
        assertEquals(-1, space.rankOf(-1));
        assertNull(space.typeOf(7));
        assertInvalid("peerAddress rank=4 (expected: 0..3)", () -> space.peerAddress(4, MemoryType.HOST));
        assertInvalid("peerAddress rank=-1", () -> space.peerAddress(-1, MemoryType.HOST));
        assertInvalid("peerAddress type=null", () -> space.peerAddress(0, null));
        assertEquals(HOST, space.localSize(MemoryType.HOST));
        assertEquals(DEVICE, space.localSize(MemoryType.DEVICE));
        assertEquals(HOST * 4, space.maxSize(MemoryType.HOST));
        assertEquals(HOST, space.localSegment(MemoryType.HOST).byteSize());
        assertEquals(DEVICE, space.localSegment(MemoryType.DEVICE).byteSize());
        assertInvalid("localSize type=null", () -> space.localSize(null));

        BigMemorySpace hostOnly = track(bm.create(1, CreateOptions.of(HOST, 0)));
        assertInvalid("no DEVICE memory", () -> hostOnly.peerAddress(0, MemoryType.DEVICE));
        assertInvalid("contributes no DEVICE memory", () -> hostOnly.localSegment(MemoryType.DEVICE));
        assertEquals(0, hostOnly.localSize(MemoryType.DEVICE));
    }

    // ---------------------------------------------------------------------------------------------------- copies

    @Test
    void shouldCopyWithinTheOwnSlotsInEveryDirectionBeforeJoining() {
        BigMemory bm = init(2);
        BigMemorySpace space = space(bm);
        long host = space.peerAddress(bm.rank(), MemoryType.HOST);
        long device = space.peerAddress(bm.rank(), MemoryType.DEVICE);
        MemorySegment data = arena.allocate(1001);
        for (int i = 0; i < data.byteSize(); i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 3));
        }
        MemorySegment out = arena.allocate(1001);
        space.copy(data, device + 5, 1001, CopyType.L2G);
        space.copy(device + 5, host + 11, 1001, CopyType.G2G);
        space.copy(host + 11, out, 1001, CopyType.GH2H);
        assertEquals(-1, data.mismatch(out));
        space.copy(data, host + 3000, 1001, CopyType.H2GH);
        space.copy(host + 3000, device + 4000, 1001, CopyType.AUTO);
        out.fill((byte) 0);
        space.copy(device + 4000, out, 1001, CopyType.AUTO);
        assertEquals(-1, data.mismatch(out));
        space.copyAsync(data, host, 1001, CopyType.L2GH).await();
        out.fill((byte) 0);
        space.copyAsync(host, out, 1001, CopyType.GH2L).await();
        assertEquals(-1, data.mismatch(out));
        assertEquals(-1, data.mismatch(space.localSegment(MemoryType.HOST).asSlice(0, 1001)));
    }

    @Test
    void shouldRejectBadCopyArgumentsNamingTheValues() {
        BigMemory bm = init(2);
        BigMemorySpace space = space(bm);
        long host = space.peerAddress(0, MemoryType.HOST);
        long device = space.peerAddress(0, MemoryType.DEVICE);
        MemorySegment local = arena.allocate(256);

        assertInvalid("size=0 (expected: > 0)", () -> space.copy(local, host, 0, CopyType.H2G));
        assertInvalid("size=-5 (expected: > 0)", () -> space.copy(host, local, -5, CopyType.G2H));
        assertInvalid("size=0", () -> space.copy(host, device, 0, CopyType.G2G));
        assertInvalid("type=null", () -> space.copy(local, host, 8, null));
        assertInvalid("src=null", () -> space.copy((MemorySegment) null, host, 8, CopyType.H2G));
        assertInvalid("dst=null", () -> space.copy(host, (MemorySegment) null, 8, CopyType.G2H));
        assertInvalid("src.byteSize()=256 < size=257", () -> space.copy(local, host, 257, CopyType.L2G));
        assertInvalid("dst is a read-only segment", () -> space.copy(host, local.asReadOnly(), 8, CopyType.G2L));

        // Directions that do not fit the overload.
        for (CopyType type : new CopyType[] {CopyType.G2L, CopyType.G2H, CopyType.GH2L, CopyType.GH2H,
            CopyType.G2G}) {
            assertInvalid("copy " + type + ": the source is a local MemorySegment",
                    () -> space.copy(local, host, 8, type));
        }
        for (CopyType type : new CopyType[] {CopyType.L2G, CopyType.H2G, CopyType.L2GH, CopyType.H2GH,
            CopyType.G2G}) {
            assertInvalid("copy " + type + ": the destination is a local MemorySegment",
                    () -> space.copy(host, local, 8, type));
        }
        for (CopyType type : new CopyType[] {CopyType.L2G, CopyType.G2L, CopyType.G2H, CopyType.H2G,
            CopyType.L2GH, CopyType.GH2L, CopyType.GH2H, CopyType.H2GH}) {
            assertInvalid("copy " + type + ": both sides are addresses", () -> space.copy(host, device, 8, type));
        }

        // GH variants need the HOST window.
        assertInvalid("not in the HOST window", () -> space.copy(local, device, 8, CopyType.H2GH));
        assertInvalid("not in the HOST window", () -> space.copy(local, device, 8, CopyType.L2GH));
        assertInvalid("not in the HOST window", () -> space.copy(device, local, 8, CopyType.GH2H));
        assertInvalid("not in the HOST window", () -> space.copy(device, local, 8, CopyType.GH2L));

        // Local -> local, and local addresses passed as longs.
        long localAddress = local.address();
        assertInvalid("local -> local", () -> space.copy(local, localAddress, 8, CopyType.AUTO));
        assertInvalid("local -> local", () -> space.copy(local, localAddress, 8, CopyType.L2G));
        assertInvalid("local -> local", () -> space.copy(localAddress, local, 8, CopyType.AUTO));
        assertInvalid("are both local addresses", () -> space.copy(localAddress, localAddress + 64, 8,
                CopyType.AUTO));
        assertInvalid("is not a global address", () -> space.copy(host, localAddress, 8, CopyType.AUTO));
        assertInvalid("is not a global address", () -> space.copy(localAddress, host, 8, CopyType.G2G));

        // Out of range: past the backed part, straddling the end, another rank's unbacked slot, beyond the world.
        AddressOutOfRangeException past = assertThrows(AddressOutOfRangeException.class,
                () -> space.copy(local, host + HOST - 100, 101, CopyType.H2G));
        assertTrue(past.getMessage().contains("gva=0x" + String.format("%016x", host + HOST - 100)), past.getMessage());
        assertTrue(past.getMessage().contains("length=101"), past.getMessage());
        assertTrue(past.getMessage().contains("exceeds rank 0 HOST slot [0x" + String.format("%016x", host) + ", +"
                + HOST + ")"), past.getMessage());
        assertEquals(host + HOST - 100, past.gva());
        assertThrows(AddressOutOfRangeException.class, () -> space.copy(device + DEVICE - 1, local, 2,
                CopyType.G2L));
        assertThrows(AddressOutOfRangeException.class, () -> space.copy(host, device + DEVICE - 10, 11,
                CopyType.G2G));
        assertThrows(AddressOutOfRangeException.class, () -> space.copy(local, AddressSpace.HOST_BASE
                + 2 * HOST, 8, CopyType.H2G));
        space.copy(local, host + HOST - 256, 256, CopyType.H2G); // exactly to the end is fine
        BigMemorySpace strided = track(bm.create(1, CreateOptions.builder().localHostSize(4096).maxHostSize(HOST)
                .localDeviceSize(0).build()));
        AddressOutOfRangeException unbacked = assertThrows(AddressOutOfRangeException.class,
                () -> strided.copy(local, strided.peerAddress(0, MemoryType.HOST) + 4096, 1, CopyType.H2G));
        assertTrue(unbacked.getMessage().contains("+4096)"), unbacked.getMessage());

        // Another rank's slot while it is not a member.
        PeerLostException lost = assertThrows(PeerLostException.class,
                () -> space.copy(local, space.peerAddress(1, MemoryType.HOST), 8, CopyType.H2G));
        assertEquals(1, lost.rank());
        assertEquals(ErrorCode.PEER_UNAVAILABLE, lost.code());
    }

    @Test
    void shouldCheckEveryBatchElementBeforeAnyByteMoves() {
        BigMemory bm = init(1);
        BigMemorySpace space = space(bm);
        long host = space.peerAddress(0, MemoryType.HOST);
        MemorySegment ones = arena.allocate(64).fill((byte) 1);
        assertInvalid("empty batch", () -> space.copyBatch(new BigMemoryBatch()));
        assertInvalid("null", () -> space.copyBatch(null));
        assertInvalid("size=0", () -> new BigMemoryBatch().add(ones, host, 0, CopyType.H2G));
        assertInvalid("copyBatch add G2L", () -> new BigMemoryBatch().add(ones, host, 8, CopyType.G2L));
        assertInvalid("capacity=0", () -> new BigMemoryBatch(0));

        BigMemoryBatch batch = new BigMemoryBatch(1).add(ones, host, 64, CopyType.H2G)
                .add(ones, host + HOST, 64, CopyType.H2G);
        assertThrows(AddressOutOfRangeException.class, () -> space.copyBatch(batch));
        assertEquals(0, space.localSegment(MemoryType.HOST).get(ValueLayout.JAVA_BYTE, 0),
                "the valid first element must not have run");
        assertEquals(2, batch.size());
        assertEquals(128, batch.totalBytes());
        batch.clear();
        assertTrue(batch.isEmpty());
        MemorySegment out = arena.allocate(64);
        batch.add(ones, host + 100, 64, CopyType.H2G).add(host + 100, host + 1000, 64, CopyType.G2G);
        space.copyBatch(batch);
        batch.clear();
        batch.add(host + 1000, out, 64, CopyType.G2H);
        space.copyBatchAsync(batch).await();
        assertEquals(-1, ones.mismatch(out));
    }

    @Test
    void shouldRunConfinedSegmentsOnTheCallingThreadOnly() {
        BigMemory bm = init(1);
        BigMemorySpace space = space(bm);
        long host = space.peerAddress(0, MemoryType.HOST);
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment data = confined.allocate(5000).fill((byte) 9);
            MemorySegment out = confined.allocate(5000);
            assertInvalid("src belongs to a confined arena", () -> space.copyAsync(data, host, 5000, CopyType.H2G));
            assertInvalid("dst belongs to a confined arena", () -> space.copyAsync(host, out, 5000, CopyType.G2H));
            BigMemoryBatch batch = new BigMemoryBatch().add(data, host + 1, 5000, CopyType.H2G)
                    .add(host + 1, host + 9000, 5000, CopyType.G2G).add(host + 9000, out, 5000, CopyType.G2H);
            assertInvalid("2 of the batch's segments belong to a confined arena",
                    () -> space.copyBatchAsync(batch));
            space.copyBatch(batch);
            assertEquals(-1, data.mismatch(out));
            space.copy(data, host, 5000, CopyType.H2G); // Synchronous single copies take any segment.
        }
    }

    // ------------------------------------------------------------------------------------------- registration

    @Test
    void shouldRegisterAndUnregisterUserMemoryAsUpstream() {
        BigMemorySpace space = space(init(1));
        MemorySegment buffer = arena.allocate(8192, 4096);
        space.register(buffer);
        space.register(buffer);
        space.register(MemorySegment.ofAddress(buffer.address()).reinterpret(8192));
        assertInvalid("already registered with size=8192", () -> space.register(buffer.asSlice(0, 4096)));
        space.unregister(buffer);
        space.unregister(buffer);
        space.unregister(arena.allocate(16));
        space.register(buffer.asSlice(0, 4096));
        assertInvalid("register segment=", () -> space.register(null));
        assertInvalid("expected: a non-empty native segment", () -> space.register(MemorySegment.ofArray(
                new byte[16])));
        assertInvalid("expected: a non-empty native segment", () -> space.register(buffer.asSlice(0, 0)));
        assertInvalid("unregister segment=null", () -> space.unregister(null));
    }

    // --------------------------------------------------------------------------------------------- membership

    @Test
    void shouldJoinAndLeaveIdempotentlyAndRequireJoiningForBarrier() {
        BigMemory bm = init(2);
        BigMemorySpace space = space(bm);
        assertCode(ErrorCode.NOT_INITIALIZED, space::barrier);
        space.leave();
        assertFalse(space.isJoined());
        assertEquals(0, space.members().length);
        space.join();
        space.join();
        assertTrue(space.isJoined());
        space.barrier();
        assertEquals(1, space.members().length);
        MemFabricTimeoutException timeout = assertThrows(MemFabricTimeoutException.class,
                () -> space.awaitMembers(2, Duration.ofMillis(200)));
        assertEquals(ErrorCode.TIMEOUT, timeout.code());
        assertInvalid("count=3 (expected: 1..2)", () -> space.awaitMembers(3, WAIT));
        space.leave();
        space.leave();
        assertFalse(space.isJoined());
        space.join();
        space.barrier();
    }

    @Test
    void shouldRefuseToJoinWithMembersOfOtherStrides() {
        BigMemory a = init(2);
        BigMemory b = init(2);
        BigMemorySpace sa = track(a.create(0, CreateOptions.of(HOST, DEVICE)));
        BigMemorySpace sb = track(b.create(0, CreateOptions.builder().localHostSize(HOST).maxHostSize(2 * HOST)
                .localDeviceSize(DEVICE).build()));
        sa.join();
        MemFabricException e = assertThrows(MemFabricException.class, sb::join);
        assertEquals(ErrorCode.INVALID_PARAM, e.code());
        assertTrue(e.getMessage().contains("maxHostSize=" + 2 * HOST), e.getMessage());
        assertFalse(sb.isJoined());
        assertEquals(1, sa.awaitMembers(1, WAIT).length);
    }
}
