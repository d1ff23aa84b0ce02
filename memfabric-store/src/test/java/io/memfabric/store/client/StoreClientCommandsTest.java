package io.memfabric.store.client;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.StoreException;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.memfabric.store.client.ClientTests.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every key-value command of {@link StoreClient} against memfabric's store server (upstream acc_config_store_test). */
@Timeout(30)
class StoreClientCommandsTest {
    private static StoreServer server;
    private static StoreClient client;
    private static StoreClient other;

    @BeforeAll
    static void start() {
        server = ClientTests.startServer();
        client = ClientTests.connect(server);
        other = ClientTests.connect(server);
    }

    @AfterAll
    static void stop() {
        CloseHelper.closeAll(other, client, server);
    }

    private static String key(TestInfo test, String suffix) {
        return test.getTestMethod().orElseThrow().getName() + "/" + suffix;
    }

    @Test
    void setThenGetRoundTripsAValue(TestInfo test) {
        String k = key(test, "k");
        client.set(k, bytes("v1"));
        assertArrayEquals(bytes("v1"), client.get(k));
        client.set(k, bytes("v2"));
        assertArrayEquals(bytes("v2"), other.get(k), "another client sees the last value");
    }

    @Test
    void getOfAnAbsentKeyIsNull(TestInfo test) {
        assertNull(client.get(key(test, "absent")));
    }

    @Test
    void emptyBinaryAndLargeValuesRoundTrip(TestInfo test) {
        client.set(key(test, "empty"), new byte[0]);
        assertArrayEquals(new byte[0], client.get(key(test, "empty")));

        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        client.set(key(test, "binary"), binary);
        assertArrayEquals(binary, client.get(key(test, "binary")));

        byte[] large = new byte[1 << 20];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31);
        }
        client.set(key(test, "large"), large);
        assertArrayEquals(large, client.get(key(test, "large")));
    }

    @Test
    void keysWithSpecialAndNonAsciiCharactersRoundTrip(TestInfo test) {
        String k = key(test, "ключ 鍵 *?[] \r\n\t\"'");
        client.set(k, bytes("special"));
        assertArrayEquals(bytes("special"), client.get(k));
        assertEquals(List.of(k), client.keys(key(test, "*")));
    }

    @Test
    void anEmptyKeyIsRejectedWithInvalidKey() {
        StoreException e = assertThrows(StoreException.class, () -> client.set("", bytes("v")));
        assertEquals(ErrorCode.STORE_INVALID_KEY, e.code());
        assertEquals(ErrorCode.STORE_INVALID_KEY, assertThrows(StoreException.class, () -> client.get(null)).code());
        assertThrows(ConfigurationException.class, () -> client.set("k", null));
    }

    @Test
    void deleteCountsTheKeysRemoved(TestInfo test) {
        client.set(key(test, "a"), bytes("1"));
        client.set(key(test, "b"), bytes("2"));
        assertEquals(2, client.delete(key(test, "a"), key(test, "b"), key(test, "c")));
        assertEquals(0, client.delete(key(test, "a")));
        assertNull(client.get(key(test, "a")));
        assertThrows(ConfigurationException.class, () -> client.delete());
    }

    @Test
    void existsCountsEachKeyNamed(TestInfo test) {
        client.set(key(test, "a"), bytes("1"));
        assertEquals(1, client.exists(key(test, "a")));
        assertEquals(2, client.exists(key(test, "a"), key(test, "a"), key(test, "missing")));
        assertEquals(0, client.exists(key(test, "missing")));
    }

    @Test
    void addAccumulatesNegativeZeroAndLargeDeltas(TestInfo test) {
        String k = key(test, "counter");
        assertEquals(5, client.add(k, 5), "a missing key counts as 0");
        assertEquals(2, client.add(k, -3));
        assertEquals(2, client.add(k, 0));
        assertEquals(2 + (1L << 40), client.add(k, 1L << 40));
        assertArrayEquals(bytes(Long.toString(2 + (1L << 40))), client.get(k), "kept as decimal text");
        assertEquals(Long.MIN_VALUE + 1, client.add(key(test, "min"), Long.MIN_VALUE + 1));
    }

    @Test
    void addOnANonIntegerFailsWithWrongType(TestInfo test) {
        client.set(key(test, "text"), bytes("not a number"));
        StoreException e = assertThrows(StoreException.class, () -> client.add(key(test, "text"), 1));
        assertEquals(ErrorCode.STORE_WRONG_TYPE, e.code());
        assertTrue(e.getMessage().contains("INCRBY key=" + key(test, "text")), e.getMessage());
    }

    @Test
    void appendReturnsTheCumulativeLengthAndConcatenates(TestInfo test) {
        String k = key(test, "log");
        assertEquals(0, client.append(k, new byte[0]), "appending nothing to a new key gives length 0");
        assertEquals(3, client.append(k, bytes("abc")));
        assertEquals(5, client.append(k, bytes("de")));
        assertArrayEquals(bytes("abcde"), client.get(k));
    }

    @Test
    void setRangeWritesAtAnOffsetAndZeroPads(TestInfo test) {
        String k = key(test, "buf");
        assertEquals(6, client.setRange(k, 4, bytes("xy")));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 'x', 'y'}, client.get(k));
        assertEquals(6, client.setRange(k, 0, bytes("ab")));
        assertArrayEquals(new byte[] {'a', 'b', 0, 0, 'x', 'y'}, client.get(k));
        assertThrows(ConfigurationException.class, () -> client.setRange(k, -1, bytes("z")));
    }

    @Test
    void getRangeIsInclusiveCountsNegativeFromTheEndAndIsEmptyWhenNone(TestInfo test) {
        String k = key(test, "text");
        client.set(k, bytes("0123456789"));
        assertArrayEquals(bytes("234"), client.getRange(k, 2, 4));
        assertArrayEquals(bytes("789"), client.getRange(k, -3, -1));
        assertArrayEquals(new byte[0], client.getRange(k, 20, 30));
        assertArrayEquals(new byte[0], client.getRange(key(test, "missing"), 0, -1));
    }

    @Test
    void compareAndSetCreatesIfAbsentSwapsOnMatchAndReportsTheCurrentValue(TestInfo test) {
        String k = key(test, "cas");
        StoreClient.CasResult created = client.compareAndSet(k, null, bytes("one"));
        assertTrue(created.swapped());
        assertArrayEquals(bytes("one"), created.current());

        StoreClient.CasResult notAbsent = client.compareAndSet(k, new byte[0], bytes("other"));
        assertFalse(notAbsent.swapped(), "empty expected means: create if absent");
        assertArrayEquals(bytes("one"), notAbsent.current());

        StoreClient.CasResult mismatch = client.compareAndSet(k, bytes("two"), bytes("three"));
        assertFalse(mismatch.swapped());
        assertArrayEquals(bytes("one"), mismatch.current());

        StoreClient.CasResult swapped = client.compareAndSet(k, bytes("one"), bytes("two"));
        assertTrue(swapped.swapped());
        assertArrayEquals(bytes("two"), swapped.current());
        assertArrayEquals(bytes("two"), other.get(k));

        StoreClient.CasResult missing = client.compareAndSet(key(test, "missing"), bytes("x"), bytes("y"));
        assertFalse(missing.swapped());
        assertNull(missing.current());
    }

    @Test
    void keysMatchesAGlobPattern(TestInfo test) {
        client.set(key(test, "a1"), bytes("1"));
        client.set(key(test, "a2"), bytes("2"));
        client.set(key(test, "b1"), bytes("3"));
        List<String> keys = client.keys(key(test, "a*"));
        assertEquals(List.of(key(test, "a1"), key(test, "a2")), keys.stream().sorted().toList());
        assertEquals(List.of(), client.keys(key(test, "zzz*")));
    }

    @Test
    void waitForBlocksUntilAnotherClientSetsTheKey(TestInfo test) throws Exception {
        String k = key(test, "ready");
        AtomicReference<Object> result = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                result.set(client.waitFor(k, Duration.ofSeconds(20)));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        CompletableFuture<byte[]> async = client.waitForAsync(k, Duration.ofSeconds(20));
        assertFalse(async.isDone(), "nothing has set the key yet");
        other.set(k, bytes("go"));
        waiter.join(TimeUnit.SECONDS.toMillis(20));
        assertInstanceOf(byte[].class, result.get(), () -> String.valueOf(result.get()));
        assertArrayEquals(bytes("go"), (byte[]) result.get());
        assertArrayEquals(bytes("go"), async.get(20, TimeUnit.SECONDS));
        assertArrayEquals(bytes("go"), client.waitFor(k, Duration.ofSeconds(1)), "an existing key returns at once");
    }

    @Test
    void waitForTimesOutWithAStoreTimeoutNotBeforeItsDeadline(TestInfo test) {
        String k = key(test, "never");
        long start = System.nanoTime();
        MemFabricTimeoutException e = assertThrows(MemFabricTimeoutException.class,
                () -> client.waitFor(k, Duration.ofMillis(300)));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(ErrorCode.STORE_TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("key=" + k), e.getMessage());
        assertTrue(elapsedMs >= 300, "reported after " + elapsedMs + " ms, before its 300 ms deadline");
        assertArrayEquals(bytes("still usable"), roundTrip(k + "/after", "still usable"));
    }

    @Test
    void waitForWithZeroTimeoutChecksOnce(TestInfo test) {
        String k = key(test, "once");
        assertNull(client.waitFor(k, Duration.ZERO));
        client.set(k, bytes("here"));
        assertArrayEquals(bytes("here"), client.waitFor(k, Duration.ZERO));
        assertThrows(ConfigurationException.class, () -> client.waitFor(k, Duration.ofMillis(-1)));
    }

    @Test
    void waitForAsyncCompletesOnTheCallbackThreadAndFailsTyped(TestInfo test) throws Exception {
        String k = key(test, "async");
        CompletableFuture<String> thread = client.waitForAsync(k, Duration.ofSeconds(20))
                .thenApply(v -> Thread.currentThread().getName());
        other.set(k, bytes("x"));
        assertEquals(StoreClientOptions.CALLBACK_THREAD_NAME, thread.get(20, TimeUnit.SECONDS));

        CompletableFuture<byte[]> late = client.waitForAsync(key(test, "never"), Duration.ofMillis(50));
        ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(20, TimeUnit.SECONDS));
        assertInstanceOf(MemFabricTimeoutException.class, e.getCause());
        assertEquals(ErrorCode.STORE_TIMEOUT, ((MemFabricTimeoutException) e.getCause()).code());
    }

    @Test
    void helloAndAssignRankSucceed(TestInfo test) {
        try (StoreClient a = ClientTests.connect(server); StoreClient b = ClientTests.connect(server)) {
            a.hello("worker-a", -1);
            StoreClient ns = a.withPrefix(key(test, "fabric") + "/");
            assertEquals(0, ns.assignRank(2, -1));
            assertEquals(0, ns.assignRank(2, -1), "a connection keeps the rank it holds");
            StoreClient nsB = b.withPrefix(key(test, "fabric") + "/");
            assertEquals(1, nsB.assignRank(2, -1));
            try (StoreClient c = ClientTests.connect(server)) {
                StoreException full = assertThrows(StoreException.class,
                        () -> c.withPrefix(key(test, "fabric") + "/").assignRank(2, -1));
                assertEquals(ErrorCode.STORE_WORLD_SIZE_EXCEEDED, full.code());
                StoreException taken = assertThrows(StoreException.class,
                        () -> c.withPrefix(key(test, "fabric") + "/").assignRank(2, 1));
                assertEquals(ErrorCode.STORE_RANK_UNAVAILABLE, taken.code());
            }
            assertThrows(ConfigurationException.class, () -> a.hello("two words", 0));
            assertThrows(ConfigurationException.class, () -> a.assignRank(0, -1));
            assertThrows(ConfigurationException.class, () -> a.assignRank(2, 2));
        }
    }

    @Test
    void requestTimeoutIsTheConfiguredOne() {
        assertEquals(ClientTests.REQUEST_TIMEOUT, client.requestTimeout());
        assertEquals("", client.prefix());
    }

    @Test
    void callsAfterCloseFailWithClientClosed(TestInfo test) {
        StoreClient closing = ClientTests.connect(server);
        closing.set(key(test, "k"), bytes("v"));
        closing.close();
        closing.close();
        StoreException e = assertThrows(StoreException.class, () -> closing.get(key(test, "k")));
        assertEquals(ErrorCode.STORE_CLIENT_CLOSED, e.code());
        assertEquals(ErrorCode.STORE_CLIENT_CLOSED,
                assertThrows(StoreException.class, () -> closing.waitForAsync("k", Duration.ofSeconds(1))).code());
        assertEquals(ErrorCode.STORE_CLIENT_CLOSED,
                assertThrows(StoreException.class, () -> closing.withPrefix("p/").get("k")).code());
        assertEquals(ErrorCode.STORE_CLIENT_CLOSED,
                assertThrows(StoreException.class, () -> closing.subscribeEvents(event -> { })).code());
    }

    @Test
    void closeStopsTheClientsThreadsAndWaitsForThem() {
        List<Thread> threads = new CopyOnWriteArrayList<>();
        StoreClient closing = StoreClient.connect(ClientTests.options(server).threadFactory(r -> {
            Thread t = new Thread(r, "test-store-client-" + threads.size());
            t.setDaemon(true);
            threads.add(t);
            return t;
        }).build());
        closing.watch("closeStopsTheClientsThreadsAndWaitsForThem/x", v -> { });
        assertEquals(2, threads.size(), "one I/O thread, one callback thread: " + threads);
        closing.close();
        for (Thread t : threads) {
            assertFalse(t.isAlive(), t + " still alive after close()");
        }
    }

    private static byte[] roundTrip(String k, String value) {
        client.set(k, bytes(value));
        return client.get(k);
    }
}
