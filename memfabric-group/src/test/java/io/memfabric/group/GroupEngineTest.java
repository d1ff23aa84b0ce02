package io.memfabric.group;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class GroupEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private StoreServer server;
    private StoreClient inspector;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() {
        server = StoreServer.start(StoreServerOptions.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .build());
        inspector = StoreClient.connect(server.url());
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        java.util.Collections.reverse(reversed);
        reversed.forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(inspector);
        CloseHelper.quietClose(server);
    }

    private StoreClient client() {
        StoreClient client = StoreClient.connect(server.url());
        closeables.add(client);
        return client;
    }

    private GroupEngine open(StoreClient client, int rank, Duration timeout) {
        GroupEngine engine = GroupEngine.open(client, GroupOptions.builder().name("g").worldSize(16).rank(rank)
                .operationTimeout(timeout).build());
        closeables.add(engine);
        return engine;
    }

    private List<GroupEngine> joined(int n) throws Exception {
        List<GroupEngine> engines = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            engines.add(open(client(), r, WAIT));
        }
        onAll(engines, e -> {
            e.join();
            return null;
        });
        for (GroupEngine e : engines) {
            e.awaitMembership(m -> m.size() == n, WAIT);
        }
        return engines;
    }

    private <T> List<T> onAll(List<GroupEngine> engines, ThrowingFunction<GroupEngine, T> body) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (GroupEngine e : engines) {
            futures.add(pool.submit((Callable<T>) () -> body.apply(e)));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        return out;
    }

    @FunctionalInterface
    interface ThrowingFunction<A, B> {
        B apply(A a) throws Exception;
    }

    /** Runs one step, again while it fails with GROUP_MEMBERSHIP_CHANGED (the documented way to use collectives). */
    private static <T> T retrying(java.util.function.Supplier<T> step) {
        for (int attempt = 0; ; attempt++) {
            try {
                return step.get();
            } catch (MemFabricException e) {
                if (e.code() != ErrorCode.GROUP_MEMBERSHIP_CHANGED || attempt > 5) {
                    throw e;
                }
            }
        }
    }

    private static Object barrier(GroupEngine e) {
        return retrying(() -> {
            e.barrier();
            return null;
        });
    }

    private static byte[] payload(int round, int rank) {
        int length = switch ((round + rank) % 4) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 1000 + rank;
            default -> 64 * 1024;
        };
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (round * 31 + rank * 7 + i);
        }
        return data;
    }

    @Test
    void shouldJoinConcurrentlyWithStrictlyIncreasingEpochsAndNoLostUpdate() throws Exception {
        int n = 8;
        List<GroupEngine> engines = new ArrayList<>();
        Map<Integer, BlockingQueue<MembershipEvent>> seen = new ConcurrentHashMap<>();
        for (int r = 0; r < n; r++) {
            GroupEngine e = open(client(), r, WAIT);
            BlockingQueue<MembershipEvent> events = new LinkedBlockingQueue<>();
            e.addListener(events::add);
            seen.put(r, events);
            engines.add(e);
        }
        onAll(engines, e -> {
            e.join();
            return null;
        });
        for (GroupEngine e : engines) {
            Membership m = e.awaitMembership(x -> x.size() == n, WAIT);
            assertEquals(n, m.epoch(), "one epoch per join: " + m);
        }
        // The records form one chain: epoch k = epoch k-1 plus one rank, each rank exactly once.
        Membership previous = Membership.EMPTY;
        boolean[] joined = new boolean[n];
        for (int k = 1; k <= n; k++) {
            EpochRecord record = EpochRecord.fromBytes(inspector.get("mf/group/g/" + GroupKeys.epoch(k)));
            assertEquals(MembershipEvent.Kind.JOINED, record.kind());
            assertFalse(joined[record.rank()]);
            joined[record.rank()] = true;
            assertEquals(previous.withJoined(record.rank()), record.membership());
            previous = record.membership();
        }
        // Every engine saw its changes in strictly increasing epochs, the same change at each epoch.
        for (int r = 0; r < n; r++) {
            long last = 0;
            List<MembershipEvent> events = new ArrayList<>();
            MembershipEvent event;
            while ((event = seen.get(r).poll(5, TimeUnit.SECONDS)) != null) {
                events.add(event);
                if (event.epoch() == n) {
                    break;
                }
            }
            for (MembershipEvent ev : events) {
                assertTrue(ev.epoch() > last, "epochs increase: " + events);
                last = ev.epoch();
                EpochRecord record = EpochRecord.fromBytes(inspector.get("mf/group/g/" + GroupKeys.epoch(ev.epoch())));
                assertEquals(record.toEvent(), ev);
            }
            assertEquals(n, last);
        }
    }

    @Test
    void shouldNotLoseUpdatesUnderConcurrentJoinLeaveCycles() throws Exception {
        List<GroupEngine> engines = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            engines.add(open(client(), r, WAIT));
        }
        int cycles = 10;
        onAll(engines, e -> {
            for (int i = 0; i < cycles; i++) {
                e.join();
                e.leave();
            }
            return null;
        });
        long finalEpoch = 4L * cycles * 2;
        Membership tip = Membership.fromBytes(inspector.get("mf/group/g/" + GroupKeys.MEMBERSHIP));
        assertEquals(Membership.of(finalEpoch), tip);
        Membership previous = null;
        for (long k = finalEpoch - GroupKeys.EPOCH_RETENTION + 1; k <= finalEpoch; k++) {
            EpochRecord record = EpochRecord.fromBytes(inspector.get("mf/group/g/" + GroupKeys.epoch(k)));
            if (previous != null) {
                Membership expected = record.kind() == MembershipEvent.Kind.JOINED
                        ? previous.withJoined(record.rank()) : previous.withLeft(record.rank());
                assertEquals(expected, record.membership());
            }
            previous = record.membership();
        }
        assertEquals(0, inspector.exists("mf/group/g/" + GroupKeys.epoch(finalEpoch - GroupKeys.EPOCH_RETENTION)));
    }

    @Test
    void shouldBarrierAndAllGatherAmongFourMembersWithVariedPayloads() throws Exception {
        List<GroupEngine> engines = joined(4);
        int rounds = 20;
        List<List<byte[]>> results = onAll(engines, e -> {
            List<byte[]> digests = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                e.barrier();
                List<byte[]> all = e.allGather(payload(round, e.rank()));
                assertEquals(4, all.size());
                for (int r = 0; r < 4; r++) {
                    assertArrayEquals(payload(round, r), all.get(r), "round " + round + " rank " + r);
                }
                digests.add(ByteBuffer.allocate(4).putInt(Arrays.deepHashCode(all.toArray())).array());
            }
            return digests;
        });
        for (int r = 1; r < 4; r++) {
            for (int round = 0; round < rounds; round++) {
                assertArrayEquals(results.get(0).get(round), results.get(r).get(round));
            }
        }
    }

    @Test
    void shouldRunSubGroupsByKeyWithoutSetup() throws Exception {
        List<GroupEngine> engines = joined(4);
        List<List<byte[]>> results = onAll(engines, e -> {
            String parity = e.rank() % 2 == 0 ? "even" : "odd";
            List<byte[]> last = null;
            for (int round = 0; round < 5; round++) {
                e.barrier(parity, 2);
                last = e.allGather(parity, 2, new byte[] {(byte) e.rank(), (byte) round});
                assertEquals(2, last.size());
                List<byte[]> half = e.allGather(e.rank() < 2 ? "first" : "second", 2, new byte[] {(byte) e.rank()});
                assertArrayEquals(new byte[] {(byte) (e.rank() < 2 ? 0 : 2)}, half.get(0));
            }
            return last;
        });
        assertArrayEquals(new byte[] {0, 4}, results.get(0).get(0));
        assertArrayEquals(new byte[] {2, 4}, results.get(0).get(1));
        assertArrayEquals(new byte[] {1, 4}, results.get(1).get(0));
        assertArrayEquals(new byte[] {3, 4}, results.get(3).get(1));
    }

    @Test
    void shouldDeleteKeysOfFinishedRounds() throws Exception {
        List<GroupEngine> engines = joined(3);
        onAll(engines, e -> {
            for (int round = 0; round < 10; round++) {
                e.allGather(new byte[100]);
                e.barrier("sub", 3);
            }
            return null;
        });
        long epoch = engines.get(0).membership().epoch();
        List<String> rounds = inspector.keys("mf/group/g/w*");
        for (String key : rounds) {
            String round = key.substring("mf/group/g/".length());
            assertEquals(epoch, GroupKeys.worldEpochOf(round), key);
            long seq = Long.parseLong(round.substring(round.indexOf('_') + 1, round.lastIndexOf('_')));
            assertTrue(seq >= 8, "round " + seq + " of 10 still present: " + rounds);
        }
        List<String> sub = inspector.keys("mf/group/g/s.*");
        assertTrue(sub.stream().allMatch(k -> k.contains("sub_8_") || k.contains("sub_9_")), sub.toString());
    }

    @Test
    void shouldDeleteRoundsOfOlderEpochs() throws Exception {
        List<GroupEngine> engines = joined(2);
        onAll(engines, e -> {
            e.barrier();
            e.barrier();
            e.barrier();
            return null;
        });
        long old = engines.get(0).membership().epoch();
        GroupEngine third = open(client(), 2, WAIT);
        third.join();
        engines = List.of(engines.get(0), engines.get(1), third);
        for (GroupEngine e : engines) {
            e.awaitMembership(m -> m.size() == 3, WAIT);
        }
        onAll(engines, e -> {
            barrier(e);
            barrier(e);
            return null;
        });
        for (String key : inspector.keys("mf/group/g/w*")) {
            assertTrue(GroupKeys.worldEpochOf(key.substring("mf/group/g/".length())) > old, key);
        }
    }

    @Test
    void shouldFailWithTypedTimeoutNamingRoundAndArrivals() throws Exception {
        GroupEngine a = open(client(), 0, Duration.ofMillis(500));
        GroupEngine b = open(client(), 1, Duration.ofMillis(500));
        a.join();
        b.join();
        a.awaitMembership(m -> m.size() == 2, WAIT);
        MemFabricTimeoutException e = assertThrows(MemFabricTimeoutException.class, a::barrier);
        assertEquals(ErrorCode.TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("barrier round w2_0 of group g"), e.getMessage());
        assertTrue(e.getMessage().contains("1 of 2 arrived"), e.getMessage());
        // The round is decided for everyone: the late member fails too, instead of completing it alone.
        MemFabricTimeoutException late = assertThrows(MemFabricTimeoutException.class, b::barrier);
        assertTrue(late.getMessage().contains("timed out"), late.getMessage());
    }

    @Test
    void shouldReportFailureAndAbortPendingBarrierPromptly() throws Exception {
        List<StoreClient> clients = new ArrayList<>();
        List<GroupEngine> engines = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            clients.add(client());
            engines.add(open(clients.get(r), r, Duration.ofSeconds(30)));
        }
        onAll(engines, e -> {
            e.join();
            return null;
        });
        for (GroupEngine e : engines) {
            e.awaitMembership(m -> m.size() == 3, WAIT);
        }
        BlockingQueue<MembershipEvent> events = new LinkedBlockingQueue<>();
        engines.get(0).addListener(events::add);
        List<GroupEngine> survivors = engines.subList(0, 2);
        List<Future<MemFabricException>> pending = new ArrayList<>();
        for (GroupEngine e : survivors) {
            pending.add(pool.submit(() -> assertThrows(MemFabricException.class, e::barrier)));
        }
        Thread.sleep(100); // Let the survivors arrive; the result does not depend on it.
        long start = System.nanoTime();
        clients.get(2).close(); // Rank 2 "dies": its connection drops and the store reports it down.
        for (Future<MemFabricException> f : pending) {
            MemFabricException e = f.get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.GROUP_MEMBERSHIP_CHANGED, e.code(), e.toString());
            assertTrue(e.getMessage().contains("barrier round w3_0"), e.getMessage());
            assertTrue(e.getMessage().contains("rank 2 failed"), e.getMessage());
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        MembershipEvent failed = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(failed);
        assertEquals(MembershipEvent.Kind.FAILED, failed.kind());
        assertEquals(2, failed.rank());
        assertEquals(Membership.of(4, 0, 1), failed.membership());
        // The survivors continue with the new membership.
        List<List<byte[]>> all = onAll(survivors, e -> e.allGather(new byte[] {(byte) e.rank()}));
        assertArrayEquals(new byte[] {1}, all.get(0).get(1));
        assertEquals(2, all.get(1).size());
    }

    @Test
    void shouldFailTheFirstCollectiveAfterAChangeOnceOnEveryOldMember() throws Exception {
        List<GroupEngine> engines = joined(2);
        onAll(engines, e -> {
            e.barrier();
            return null;
        });
        GroupEngine third = open(client(), 2, WAIT);
        third.join();
        List<GroupEngine> all = List.of(engines.get(0), engines.get(1), third);
        List<String> outcomes = onAll(all, e -> {
            e.awaitMembership(m -> m.size() == 3, WAIT);
            String first;
            try {
                e.barrier();
                first = "ran";
            } catch (MemFabricException x) {
                assertEquals(ErrorCode.GROUP_MEMBERSHIP_CHANGED, x.code());
                assertTrue(x.getMessage().contains("changed since rank " + e.rank()), x.getMessage());
                first = "changed";
                e.barrier();
            }
            e.allGather(new byte[] {1});
            return first;
        });
        assertEquals(List.of("changed", "changed", "ran"), outcomes);
    }

    @Test
    void shouldReportLeaveAndAllowRejoin() throws Exception {
        List<GroupEngine> engines = joined(3);
        BlockingQueue<MembershipEvent> events = new LinkedBlockingQueue<>();
        engines.get(0).addListener(events::add);
        engines.get(2).leave();
        assertFalse(engines.get(2).isMember());
        MembershipEvent left = events.poll(10, TimeUnit.SECONDS);
        assertEquals(new MembershipEvent(MembershipEvent.Kind.LEFT, 2, Membership.of(4, 0, 1)), left);
        assertEquals(ErrorCode.NOT_INITIALIZED,
                assertThrows(MemFabricException.class, engines.get(2)::barrier).code());
        onAll(engines.subList(0, 2), GroupEngineTest::barrier);
        engines.get(2).join();
        assertEquals(MembershipEvent.Kind.JOINED, events.poll(10, TimeUnit.SECONDS).kind());
        List<List<byte[]>> all = onAll(engines, e -> retrying(() -> e.allGather(new byte[] {(byte) e.rank()})));
        assertEquals(3, all.get(2).size());
        assertEquals(ErrorCode.REPEAT_CALL, assertThrows(MemFabricException.class, engines.get(2)::join).code());
    }

    @Test
    void shouldReplaceAPreviousProcessOfTheSameRank() throws Exception {
        StoreClient doomed = client();
        GroupEngine first = open(doomed, 0, WAIT);
        GroupEngine other = open(client(), 1, WAIT);
        first.join();
        other.join();
        // The process of rank 0 vanishes while the survivor is not looking (no member removes it in time):
        // a new process of rank 0 finds it still listed and replaces it.
        other.close();
        doomed.close();
        GroupEngine second = open(client(), 0, WAIT);
        second.join();
        assertTrue(second.membership().contains(0));
        assertEquals(MembershipEvent.Kind.JOINED,
                EpochRecord.fromBytes(inspector.get("mf/group/g/" + GroupKeys.epoch(
                        second.membership().epoch()))).kind());
    }

    @Test
    void shouldNameThreadsAndJoinThemOnClose() throws Exception {
        GroupEngine e = open(client(), 5, WAIT);
        e.addListener(x -> { });
        e.join();
        assertTrue(threadNamed("memfabric-g-r5-group"));
        assertTrue(threadNamed("memfabric-g-r5-callback"));
        e.close();
        e.close();
        assertFalse(threadNamed("memfabric-g-r5-group"));
        assertFalse(threadNamed("memfabric-g-r5-callback"));
        assertEquals(ErrorCode.NOT_INITIALIZED, assertThrows(MemFabricException.class, e::barrier).code());
        assertEquals(Membership.of(2), Membership.fromBytes(inspector.get("mf/group/g/m")));
    }

    @Test
    void shouldCloseFromItsOwnListener() throws Exception {
        GroupEngine a = open(client(), 0, WAIT);
        GroupEngine b = open(client(), 1, WAIT);
        a.join();
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        a.addListener(event -> {
            if (event.kind() == MembershipEvent.Kind.JOINED && event.rank() == 1) {
                a.close(); // Leaves the group from the callback thread; must not wait for itself.
                closed.countDown();
            }
        });
        b.join();
        assertTrue(closed.await(20, TimeUnit.SECONDS));
        assertEquals(Membership.of(3, 1), b.awaitMembership(m -> m.epoch() == 3, WAIT));
        assertFalse(threadNamed("memfabric-g-r0-group"));
    }

    @Test
    void shouldRejectBadSubGroupArguments() throws Exception {
        GroupEngine e = open(client(), 0, WAIT);
        IntFunction<Runnable> withSize = size -> () -> e.barrier("k", size);
        assertEquals(ErrorCode.INVALID_PARAM, assertThrows(MemFabricException.class, withSize.apply(0)::run).code());
        assertEquals(ErrorCode.INVALID_PARAM,
                assertThrows(MemFabricException.class, () -> e.barrier("a b", 2)).code());
        assertEquals(ErrorCode.NOT_INITIALIZED, assertThrows(MemFabricException.class, e::barrier).code());
        e.barrier("alone", 1);
        assertEquals(List.of(), List.of());
    }

    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
