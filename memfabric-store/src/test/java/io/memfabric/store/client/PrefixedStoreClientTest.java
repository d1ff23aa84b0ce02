package io.memfabric.store.client;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.memfabric.store.client.ClientTests.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prefixed views (upstream's prefix store), nested ones included, against memfabric's store server. */
@Timeout(30)
class PrefixedStoreClientTest {
    private static StoreServer server;
    private static StoreClient client;

    @BeforeAll
    static void start() {
        server = ClientTests.startServer();
        client = ClientTests.connect(server);
    }

    @AfterAll
    static void stop() {
        CloseHelper.closeAll(client, server);
    }

    private static String base(TestInfo test) {
        return test.getTestMethod().orElseThrow().getName() + "/";
    }

    @Test
    void aViewPrefixesEveryKeyItSends(TestInfo test) throws Exception {
        StoreClient view = client.withPrefix(base(test));
        assertEquals(base(test), view.prefix());
        view.set("k", bytes("v"));
        assertArrayEquals(bytes("v"), client.get(base(test) + "k"));
        assertArrayEquals(bytes("v"), view.get("k"));
        assertNull(client.get("k"));

        assertEquals(3, view.add("n", 3));
        assertEquals(2, view.append("s", bytes("ab")));
        assertEquals(4, view.setRange("s", 2, bytes("cd")));
        assertArrayEquals(bytes("bc"), view.getRange("s", 1, 2));
        assertTrue(view.compareAndSet("c", null, bytes("1")).swapped());
        assertArrayEquals(bytes("1"), client.get(base(test) + "c"));
        assertEquals(2, view.exists("k", "n"));
        assertEquals(2, client.exists(base(test) + "k", base(test) + "n"));
        assertArrayEquals(bytes("v"), view.waitFor("k", Duration.ofSeconds(5)));
        assertArrayEquals(bytes("v"), view.waitFor("k", Duration.ZERO));
        assertArrayEquals(bytes("v"), view.waitForAsync("k", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
        assertEquals(1, view.delete("k"));
        assertNull(client.get(base(test) + "k"));
    }

    @Test
    void nestedViewsConcatenatePrefixes(TestInfo test) {
        StoreClient outer = client.withPrefix(base(test));
        StoreClient inner = outer.withPrefix("group/").withPrefix("7/");
        assertEquals(base(test) + "group/7/", inner.prefix());
        inner.set("barrier", bytes("ok"));
        assertArrayEquals(bytes("ok"), client.get(base(test) + "group/7/barrier"));
        assertArrayEquals(bytes("ok"), outer.get("group/7/barrier"));
        assertEquals(List.of("group/7/barrier"), outer.keys("*"));
        assertEquals(List.of("barrier"), inner.keys("*"));
    }

    @Test
    void keysAppliesThePrefixToThePatternAndStripsItFromTheResults(TestInfo test) {
        StoreClient view = client.withPrefix(base(test));
        view.set("a1", bytes("1"));
        view.set("a2", bytes("2"));
        view.set("b1", bytes("3"));
        client.set(base(test).replace("/", "-") + "a3", bytes("outside"));
        assertEquals(List.of("a1", "a2"), view.keys("a*").stream().sorted().toList());
        assertEquals(List.of("a1", "a2", "b1"), view.keys("*").stream().sorted().toList());
        assertEquals(List.of(base(test) + "b1"), client.keys(base(test) + "b*"));
    }

    @Test
    void globCharactersInAPrefixMatchOnlyThemselves(TestInfo test) {
        StoreClient star = client.withPrefix(base(test) + "x*/");
        StoreClient plain = client.withPrefix(base(test) + "xy/");
        star.set("k", bytes("star"));
        plain.set("k", bytes("plain"));
        assertEquals(List.of("k"), star.keys("*"));
        assertArrayEquals(bytes("star"), star.get("k"));
        StoreClient bracket = client.withPrefix(base(test) + "[ab]\\?/");
        bracket.set("k", bytes("bracket"));
        assertEquals(List.of("k"), bracket.keys("*"));
    }

    @Test
    @SuppressWarnings("try") // the subscription is held open by try-with-resources
    void eachViewIsItsOwnRankNamespace(TestInfo test) throws Exception {
        BlockingQueue<io.memfabric.store.StoreEvent> events = new ArrayBlockingQueue<>(16);
        try (StoreClient watcher = ClientTests.connect(server);
             AutoCloseable subscription = watcher.subscribeEvents(events::add)) {
            StoreClient f1 = client.withPrefix(base(test) + "f1/");
            StoreClient f2 = client.withPrefix(base(test) + "f2/");
            assertEquals(0, f1.assignRank(4, -1));
            assertEquals(0, f2.assignRank(4, -1), "another namespace has its own ranks");
            io.memfabric.store.StoreEvent up = events.poll(10, TimeUnit.SECONDS);
            assertEquals(base(test) + "f1/", up.namespace());
            assertEquals(0, up.rank());
            assertEquals(base(test) + "f2/", events.poll(10, TimeUnit.SECONDS).namespace());
        }
    }

    @Test
    void closingAViewClosesOnlyTheViewAndWhatItRegistered(TestInfo test) throws Exception {
        StoreClient view = client.withPrefix(base(test));
        BlockingQueue<String> fired = new ArrayBlockingQueue<>(4);
        view.watch("w", v -> fired.add("view"));
        client.watch(base(test) + "w", v -> fired.add("root"));
        view.close();
        view.close();
        assertEquals(ErrorCode.STORE_CLIENT_CLOSED, assertThrows(StoreException.class, () -> view.get("w")).code());
        client.set(base(test) + "w", bytes("1"));
        assertEquals("root", fired.poll(10, TimeUnit.SECONDS));
        // The view's watch was cancelled by its close: a later watch fires, the cancelled one never did.
        client.watch(base(test) + "w", v -> fired.add("after"));
        assertEquals("after", fired.poll(10, TimeUnit.SECONDS));
        assertTrue(fired.isEmpty(), fired.toString());
        assertArrayEquals(bytes("1"), client.get(base(test) + "w"), "the root still works");
        assertFalse(client.withPrefix(base(test)).keys("*").isEmpty());
    }
}
