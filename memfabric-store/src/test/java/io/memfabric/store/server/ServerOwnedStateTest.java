package io.memfabric.store.server;

import io.memfabric.store.StoreEvent;
import io.memfabric.store.protocol.RespMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Only the server announces liveness: a client cannot publish on the server's {@code mf:*} channels (a forged
 * {@code down rank=1} would evict a live rank), and an {@code MF.HELLO} cannot claim, in the events it causes, a rank
 * that another connection holds.
 */
@Timeout(60)
class ServerOwnedStateTest {
    @Test
    void shouldRefuseToPublishOnTheServersChannelsNamingTheChannel() {
        try (StoreServer server = TestServers.start();
             RespTestClient events = RespTestClient.connect(server);
             RespTestClient holder = RespTestClient.connect(server);
             RespTestClient forger = RespTestClient.connect(server)) {
            assertEquals("*[$9:subscribe, $9:mf:events, :1]", events.text("SUBSCRIBE", StoreEvent.CHANNEL));
            assertEquals(":1", holder.text("MF.RANK", "4", "1"));
            assertEquals("up", nextEvent(events).kind().name().toLowerCase(java.util.Locale.ROOT));

            assertEquals("-NOPERM clients may not publish on channel 'mf:events': mf:* channels are reserved for the "
                    + "store server", forger.text("PUBLISH", "mf:events", "down rank=1 ns= name=x reason=forged"));
            assertEquals("-NOPERM clients may not publish on channel 'mf:watch': mf:* channels are reserved for the "
                    + "store server", forger.text("PUBLISH", "mf:watch", "x"));
            assertEquals(":0", forger.text("PUBLISH", "mf-events", "not reserved"));
            assertNull(events.poll(Duration.ofMillis(200)), "nothing reached the subscribers of mf:events");
        }
    }

    @Test
    void shouldNotLetAHelloClaimARankAnotherConnectionHolds() {
        try (StoreServer server = TestServers.start();
             RespTestClient events = RespTestClient.connect(server);
             RespTestClient holder = RespTestClient.connect(server)) {
            assertEquals("*[$9:subscribe, $9:mf:events, :1]", events.text("SUBSCRIBE", StoreEvent.CHANNEL));
            assertEquals(":1", holder.text("MF.RANK", "4", "1"));
            assertEquals(new StoreEvent(StoreEvent.Kind.UP, 1, "", "conn-2", "rank"), nextEvent(events));
            try (RespTestClient forger = RespTestClient.connect(server)) {
                assertEquals("+OK", forger.text("MF.HELLO", "impostor", "1"));
                assertEquals(new StoreEvent(StoreEvent.Kind.UP, -1, "", "impostor", "hello"), nextEvent(events));
            }
            assertEquals(new StoreEvent(StoreEvent.Kind.DOWN, -1, "", "impostor", "disconnect"), nextEvent(events),
                    "the impostor's disconnect does not announce rank 1 down");
            assertEquals("+PONG", holder.text("PING"));
        }
    }

    private static StoreEvent nextEvent(RespTestClient events) {
        RespMessage.Array push = (RespMessage.Array) events.read();
        return StoreEvent.parse(((RespMessage.Bulk) push.elements().get(2)).latin1());
    }
}
