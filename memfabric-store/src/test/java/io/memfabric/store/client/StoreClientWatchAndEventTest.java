package io.memfabric.store.client;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import io.memfabric.error.MemFabricTimeoutException;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.memfabric.store.client.ClientTests.bytes;
import static io.memfabric.store.client.ClientTests.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Watches and liveness events against memfabric's store server. Callbacks run in order on one thread, and the
 * server pushes in order on one connection, so "a callback did not run" is shown by a later one that did: a marker
 * watch set after the event in question fires after it would have.
 */
@Timeout(30)
class StoreClientWatchAndEventTest {
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

    /** Sets a marker key watched by {@code client} and waits for its callback: every earlier push was handled. */
    private static void drainCallbacks(TestInfo test, BlockingQueue<String> fired) throws InterruptedException {
        String marker = key(test, "marker-" + System.nanoTime());
        client.watch(marker, v -> fired.add("marker"));
        other.set(marker, bytes("m"));
        assertEquals("marker", fired.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aWatchFiresOnceWhenTheKeyIsCreatedWithItsValue(TestInfo test) throws Exception {
        BlockingQueue<String> fired = new LinkedBlockingQueue<>();
        String k = key(test, "k");
        long id = client.watch(k, v -> fired.add(text(v) + "@" + Thread.currentThread().getName()));
        assertTrue(fired.isEmpty());
        other.set(k, bytes("v1"));
        assertEquals("v1@" + StoreClientOptions.CALLBACK_THREAD_NAME, fired.poll(10, TimeUnit.SECONDS));
        other.set(k, bytes("v2"));
        drainCallbacks(test, fired);
        assertTrue(fired.isEmpty(), "one-shot: " + fired);
        assertFalse(client.unwatch(id), "a fired watch is no longer pending");
    }

    @Test
    void aWatchOnAnExistingKeyFiresAtOnce(TestInfo test) throws Exception {
        String k = key(test, "k");
        other.set(k, bytes("there"));
        BlockingQueue<byte[]> fired = new LinkedBlockingQueue<>();
        client.watch(k, fired::add);
        assertArrayEquals(bytes("there"), fired.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void unwatchSuppressesTheNotification(TestInfo test) throws Exception {
        BlockingQueue<String> fired = new LinkedBlockingQueue<>();
        String k = key(test, "k");
        long id = client.watch(k, v -> fired.add("cancelled watch fired"));
        assertTrue(client.unwatch(id));
        assertFalse(client.unwatch(id), "only once");
        assertFalse(client.unwatch(123_456_789L), "unknown id");
        other.set(k, bytes("v"));
        drainCallbacks(test, fired);
        assertTrue(fired.isEmpty(), fired.toString());
    }

    @Test
    void severalKeysAreWatchedIndependently(TestInfo test) throws Exception {
        BlockingQueue<String> fired = new LinkedBlockingQueue<>();
        long a = client.watch(key(test, "a"), v -> fired.add("a=" + text(v)));
        long b = client.watch(key(test, "b"), v -> fired.add("b=" + text(v)));
        long a2 = client.watch(key(test, "a"), v -> fired.add("a2=" + text(v)));
        assertNotEquals(a, b);
        other.set(key(test, "b"), bytes("2"));
        assertEquals("b=2", fired.poll(10, TimeUnit.SECONDS));
        other.set(key(test, "a"), bytes("1"));
        String first = fired.poll(10, TimeUnit.SECONDS);
        String second = fired.poll(10, TimeUnit.SECONDS);
        assertEquals(java.util.Set.of("a=1", "a2=1"), java.util.Set.of(first, second));
        assertFalse(client.unwatch(a2));
    }

    @Test
    void aThrowingListenerDoesNotStopLaterCallbacks(TestInfo test) throws Exception {
        BlockingQueue<String> fired = new LinkedBlockingQueue<>();
        client.watch(key(test, "bad"), v -> {
            throw new IllegalStateException("listener failure (expected by the test)");
        });
        other.set(key(test, "bad"), bytes("x"));
        drainCallbacks(test, fired);
        client.watch(key(test, "good"), v -> fired.add("good"));
        other.set(key(test, "good"), bytes("y"));
        assertEquals("good", fired.poll(10, TimeUnit.SECONDS));
    }

    @Test
    @SuppressWarnings("try") // the subscription is held open by try-with-resources
    void eventsReportAClientThatSaidHelloComingUpAndGoingDown() throws Exception {
        BlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
        try (AutoCloseable subscription = client.subscribeEvents(events::add)) {
            StoreClient worker = ClientTests.connect(server);
            try {
                worker.hello("worker-42", 42);
                StoreEvent up = next(events, e -> e.name().equals("worker-42"));
                assertEquals(StoreEvent.Kind.UP, up.kind());
                assertEquals(42, up.rank());
                assertEquals("hello", up.reason());
            } finally {
                worker.close();
            }
            StoreEvent down = next(events, e -> e.name().equals("worker-42"));
            assertEquals(StoreEvent.Kind.DOWN, down.kind());
            assertEquals(42, down.rank());
            assertEquals("disconnect", down.reason());
        }
    }

    @Test
    @SuppressWarnings("try") // the subscription is held open by try-with-resources
    void aClientThatSaidHelloStaysUpThroughManyHeartbeatPeriods() throws Exception {
        BlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
        try (AutoCloseable subscription = client.subscribeEvents(events::add)) {
            try (StoreClient quiet = StoreClient.connect(ClientTests.options(server)
                    .heartbeatPeriod(Duration.ofMillis(50)).build())) {
                quiet.hello("quiet", -1);
                assertEquals(StoreEvent.Kind.UP, next(events, e -> e.name().equals("quiet")).kind());
                // Twenty heartbeat periods in which the caller sends nothing on the main connection: the client's
                // own PINGs must keep it alive (the server declares it down after three missed periods).
                assertThrows(MemFabricTimeoutException.class,
                        () -> quiet.waitFor("aClientThatSaidHelloStaysUpThroughManyHeartbeatPeriods/none",
                                Duration.ofMillis(1000)));
            }
            StoreEvent after = next(events, e -> e.name().equals("quiet"));
            assertEquals(StoreEvent.Kind.DOWN, after.kind());
            assertEquals("disconnect", after.reason(), "down only when it closed, not for missed heartbeats");
        }
    }

    @Test
    @SuppressWarnings("try") // the subscription is held open by try-with-resources
    void closingTheSubscriptionStopsEvents() throws Exception {
        BlockingQueue<StoreEvent> closedOnes = new LinkedBlockingQueue<>();
        BlockingQueue<StoreEvent> open = new LinkedBlockingQueue<>();
        AutoCloseable first = client.subscribeEvents(closedOnes::add);
        try (AutoCloseable second = client.subscribeEvents(open::add)) {
            first.close();
            try (StoreClient worker = ClientTests.connect(server)) {
                worker.hello("after-unsubscribe", -1);
                assertNotNull(next(open, e -> e.name().equals("after-unsubscribe")));
            }
        }
        assertTrue(closedOnes.stream().noneMatch(e -> e.name().equals("after-unsubscribe")), closedOnes.toString());
    }

    private static StoreEvent next(BlockingQueue<StoreEvent> events, Predicate<StoreEvent> wanted)
            throws InterruptedException {
        while (true) {
            StoreEvent event = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(event, "no matching event within 10 s");
            if (wanted.test(event)) {
                return event;
            }
        }
    }
}
