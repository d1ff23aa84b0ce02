package io.memfabric.store.server;

import io.memfabric.store.StoreEvent;
import io.memfabric.store.protocol.RespMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code MF.HELLO} liveness (disconnect and missed heartbeats) and {@code MF.RANK} assignment, seen on mf:events. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LivenessAndRanksTest {
    private StoreServer server;
    private final List<RespTestClient> clients = new ArrayList<>();

    @AfterEach
    void stopServer() {
        clients.forEach(RespTestClient::close);
        if (server != null) {
            server.close();
        }
    }

    private void start(Duration heartbeatPeriod) {
        server = StoreServer.start(TestServers.options().heartbeatPeriod(heartbeatPeriod).missedHeartbeats(3).build());
    }

    private RespTestClient client() {
        RespTestClient client = RespTestClient.connect(server);
        clients.add(client);
        return client;
    }

    private RespTestClient subscriber() {
        RespTestClient events = client();
        assertEquals("*[$9:subscribe, $9:mf:events, :1]", events.text("SUBSCRIBE", StoreEvent.CHANNEL));
        return events;
    }

    /** @return the next event pushed to a subscriber of mf:events. */
    private static StoreEvent nextEvent(RespTestClient events) {
        RespMessage.Array push = (RespMessage.Array) events.read();
        assertEquals("message", ((RespMessage.Bulk) push.elements().get(0)).latin1());
        assertEquals(StoreEvent.CHANNEL, ((RespMessage.Bulk) push.elements().get(1)).latin1());
        return StoreEvent.parse(((RespMessage.Bulk) push.elements().get(2)).latin1());
    }

    @Test
    void helloPublishesUpAndDisconnectPublishesDown() {
        start(Duration.ofSeconds(2));
        RespTestClient events = subscriber();
        RespTestClient worker = client();
        assertEquals("+OK", worker.text("MF.HELLO", "worker-3", "3"));
        assertEquals(new StoreEvent(StoreEvent.Kind.UP, 3, "", "worker-3", "hello"), nextEvent(events));
        worker.close();
        assertEquals(new StoreEvent(StoreEvent.Kind.DOWN, 3, "", "worker-3", "disconnect"), nextEvent(events));
    }

    @Test
    void aSilentClientIsDeclaredDownForMissedHeartbeatsAndDisconnected() {
        start(Duration.ofSeconds(2));
        RespTestClient events = subscriber();
        RespTestClient silent = client();
        RespTestClient alive = client();
        // Taken before the server reads the HELLO: the server's silence is measured from a later instant.
        long start = System.nanoTime();
        assertEquals("+OK", silent.text("MF.HELLO", "silent", "0", "200"));
        assertEquals(new StoreEvent(StoreEvent.Kind.UP, 0, "", "silent", "hello"), nextEvent(events));
        assertEquals("+OK", alive.text("MF.HELLO", "alive", "1", "1000"));
        assertEquals(new StoreEvent(StoreEvent.Kind.UP, 1, "", "alive", "hello"), nextEvent(events));
        // "alive" heartbeats from this thread while waiting for the verdict on "silent".
        StoreEvent event;
        while (true) {
            assertEquals("+PONG", alive.text("PING"));
            RespMessage push = events.poll(Duration.ofMillis(50));
            if (push != null) {
                RespMessage.Array array = (RespMessage.Array) push;
                event = StoreEvent.parse(((RespMessage.Bulk) array.elements().get(2)).latin1());
                break;
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "no down event within 20 s");
        }
        assertEquals(new StoreEvent(StoreEvent.Kind.DOWN, 0, "", "silent", "heartbeat"), event);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(3 * 200),
                "declared down before 3 periods of silence");
        assertTrue(silent.awaitClosed(Duration.ofSeconds(10)), "the silent connection is closed");
        assertEquals("+PONG", alive.text("PING"));
    }

    @Test
    void theServersHeartbeatPeriodAppliesWhenHelloNamesNone() {
        start(Duration.ofMillis(100));
        RespTestClient events = subscriber();
        RespTestClient silent = client();
        silent.text("MF.HELLO", "quiet");
        assertEquals(new StoreEvent(StoreEvent.Kind.UP, -1, "", "quiet", "hello"), nextEvent(events));
        assertEquals(new StoreEvent(StoreEvent.Kind.DOWN, -1, "", "quiet", "heartbeat"), nextEvent(events));
    }

    @Test
    void helloRefusesBlanksAndBadNumbers() {
        start(Duration.ofSeconds(2));
        RespTestClient c = client();
        assertTrue(c.text("MF.HELLO", "two words").startsWith("-STORE_INVALID_MESSAGE MF.HELLO name='two words'"));
        assertTrue(c.text("MF.HELLO", "").startsWith("-STORE_INVALID_MESSAGE MF.HELLO name="));
        assertTrue(c.text("MF.HELLO", "n", "x").startsWith("-STORE_INVALID_MESSAGE MF.HELLO rank=x"));
        assertTrue(c.text("MF.HELLO", "n", "0", "1").startsWith("-STORE_INVALID_MESSAGE MF.HELLO periodMs=1"));
        assertEquals("-ERR wrong number of arguments for 'mf.hello' command", c.text("MF.HELLO", "n", "0", "100",
                "extra"));
    }

    @Test
    void autoRankingGivesTheLowestFreeRankAndReusesFreedOnes() {
        start(Duration.ofSeconds(2));
        RespTestClient events = subscriber();
        RespTestClient r0 = client();
        RespTestClient r1 = client();
        RespTestClient r2 = client();
        assertEquals(":0", r0.text("MF.RANK", "3"));
        assertRankUp(nextEvent(events), 0, "");
        assertEquals(":1", r1.text("MF.RANK", "3", "-1"));
        assertRankUp(nextEvent(events), 1, "");
        assertEquals(":2", r2.text("MF.RANK", "3"));
        assertRankUp(nextEvent(events), 2, "");
        assertEquals(":1", r1.text("MF.RANK", "3"), "asking again returns the rank held");
        RespTestClient extra = client();
        assertEquals("-STORE_WORLD_SIZE_EXCEEDED worldSize=3 ns=: every rank is held by a live client",
                extra.text("MF.RANK", "3"));
        r1.close();
        StoreEvent down = nextEvent(events);
        assertEquals(StoreEvent.Kind.DOWN, down.kind());
        assertEquals(1, down.rank());
        assertEquals("disconnect", down.reason());
        assertEquals(":1", extra.text("MF.RANK", "3"));
        assertRankUp(nextEvent(events), 1, "");
    }

    private static void assertRankUp(StoreEvent event, int rank, String namespace) {
        assertEquals(StoreEvent.Kind.UP, event.kind());
        assertEquals(rank, event.rank());
        assertEquals(namespace, event.namespace());
        assertEquals("rank", event.reason());
        assertTrue(event.name().startsWith("conn-"), event.name());
    }

    @Test
    void explicitRanksAreGrantedOrRefused() {
        start(Duration.ofSeconds(2));
        RespTestClient a = client();
        RespTestClient b = client();
        assertEquals(":2", a.text("MF.RANK", "4", "2"));
        assertTrue(b.text("MF.RANK", "4", "2").startsWith("-STORE_RANK_UNAVAILABLE rank=2 ns= is held by conn-"));
        assertTrue(b.text("MF.RANK", "4", "4").startsWith("-STORE_RANK_UNAVAILABLE rank=4 ns= (expected: 0..3"));
        assertEquals(":0", b.text("MF.RANK", "4"));
        assertTrue(b.text("MF.RANK", "4", "3").startsWith("-STORE_RANK_UNAVAILABLE rank=3 ns=: this connection "
                + "already holds rank=0"));
        assertTrue(b.text("MF.RANK", "0").startsWith("-STORE_INVALID_MESSAGE MF.RANK worldSize=0 (expected: "
                + "1..1024)"));
        assertTrue(b.text("MF.RANK", "1025").startsWith("-STORE_INVALID_MESSAGE MF.RANK worldSize=1025"));
        assertTrue(b.text("MF.RANK", "4", "-2").startsWith("-STORE_INVALID_MESSAGE MF.RANK rank=-2"));
        assertTrue(b.text("MF.RANK", "4", "1", "NS").startsWith("-STORE_INVALID_MESSAGE MF.RANK syntax error"));
        assertTrue(b.text("MF.RANK", "4", "NS", "a b").startsWith("-STORE_INVALID_MESSAGE MF.RANK namespace='a b'"));
    }

    @Test
    void namespacesAreIndependentAndEventsNameThem() {
        start(Duration.ofSeconds(2));
        RespTestClient events = subscriber();
        RespTestClient a = client();
        RespTestClient b = client();
        assertEquals("+OK", a.text("MF.HELLO", "rank-a"));
        nextEvent(events);
        assertEquals(":0", a.text("MF.RANK", "2", "NS", "fab1/"));
        assertEquals(new StoreEvent(StoreEvent.Kind.UP, 0, "fab1/", "rank-a", "rank"), nextEvent(events));
        assertEquals(":0", b.text("MF.RANK", "2", "ns", "fab2/"));
        nextEvent(events);
        assertEquals(":1", b.text("MF.RANK", "2", "-1", "NS", "fab1/"));
        nextEvent(events);
        assertTrue(a.text("MF.RANK", "2", "0", "NS", "fab2/").startsWith("-STORE_RANK_UNAVAILABLE rank=0 ns=fab2/ "
                + "is held by conn-"));
        a.close();
        assertEquals(new StoreEvent(StoreEvent.Kind.DOWN, 0, "fab1/", "rank-a", "disconnect"), nextEvent(events));
        assertEquals(new StoreEvent(StoreEvent.Kind.DOWN, -1, "", "rank-a", "disconnect"), nextEvent(events),
                "the MF.HELLO identity goes down too");
        assertEquals(":0", client().text("MF.RANK", "2", "NS", "fab1/"));
    }

    @Test
    void aThousandTwentyFourClientsEachGetADistinctRank() {
        start(Duration.ofSeconds(2));
        List<RespTestClient> ranks = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            RespTestClient c = client();
            c.send("MF.RANK", "1024", "NS", "big/");
            ranks.add(c);
        }
        java.util.Set<Long> granted = new java.util.HashSet<>();
        for (RespTestClient c : ranks) {
            long rank = ((RespMessage.Integer) c.read()).value();
            assertTrue(rank >= 0 && rank < 1024, "rank " + rank);
            granted.add(rank);
        }
        assertEquals(1024, granted.size());
        assertTrue(client().text("MF.RANK", "1024", "NS", "big/").startsWith("-STORE_WORLD_SIZE_EXCEEDED"));
    }
}
