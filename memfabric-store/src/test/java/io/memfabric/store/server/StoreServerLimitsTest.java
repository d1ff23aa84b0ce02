package io.memfabric.store.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configured limits: refused with a clear error, and only the offending connection is closed (if any). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreServerLimitsTest {
    private StoreServer server;
    private final List<RespTestClient> clients = new ArrayList<>();

    @AfterEach
    void stopServer() {
        clients.forEach(RespTestClient::close);
        if (server != null) {
            server.close();
        }
    }

    private void start(StoreServerOptions.Builder options) {
        server = StoreServer.start(options.build());
    }

    private RespTestClient client() {
        RespTestClient client = RespTestClient.connect(server);
        clients.add(client);
        return client;
    }

    private static String repeat(char c, int n) {
        char[] chars = new char[n];
        Arrays.fill(chars, c);
        return new String(chars);
    }

    @Test
    void anOversizedKeyIsRefusedAndTheConnectionStays() {
        start(TestServers.options());
        RespTestClient c = client();
        String key = repeat('k', 3000);
        assertEquals("-STORE_INVALID_KEY key length=3000 (expected: 0..2048)", c.text("SET", key, "v"));
        assertEquals("-STORE_INVALID_KEY key length=3000 (expected: 0..2048)", c.text("GET", key));
        assertEquals("-STORE_INVALID_KEY key length=3000 (expected: 1..2048)", c.text("MF.WAIT", key, "0"));
        assertEquals("+OK", c.text("SET", repeat('k', 2048), "v"));
        assertEquals("+PONG", c.text("PING"));
    }

    @Test
    void anOversizedValueClosesOnlyThatConnection() {
        start(TestServers.options().maxValueBytes(1024));
        RespTestClient bystander = client();
        RespTestClient offender = client();
        assertEquals("+OK", offender.text("SET", "fits", repeat('v', 1024)));
        assertEquals("-ERR Protocol error: invalid bulk length: 1025 (expected: 0..1024)",
                offender.text("SET", "big", repeat('v', 1025)));
        assertTrue(offender.awaitClosed(Duration.ofSeconds(10)));
        assertEquals("+PONG", bystander.text("PING"));
        assertEquals("$-1", bystander.text("GET", "big"));
        TestServers.await("the offender's connection is gone", () -> server.connectedClients() == 1);
    }

    @Test
    void growingAValuePastTheLimitIsARedisError() {
        start(TestServers.options().maxValueBytes(1024));
        RespTestClient c = client();
        c.text("SET", "grow", repeat('a', 1000));
        assertEquals("-ERR string exceeds maximum allowed size (proto-max-bulk-len)", c.text("APPEND", "grow",
                repeat('b', 25)));
        assertEquals("-ERR string exceeds maximum allowed size (proto-max-bulk-len)", c.text("SETRANGE", "grow",
                "1024", "x"));
        assertEquals(":1024", c.text("APPEND", "grow", repeat('b', 24)));
    }

    @Test
    void tooManyArgumentsCloseThatConnection() {
        start(TestServers.options().maxArguments(8));
        RespTestClient c = client();
        assertEquals(":0", c.text("DEL", "1", "2", "3", "4", "5", "6", "7"));
        assertEquals("-ERR Protocol error: invalid multibulk length: 9 (expected: <= 8)", c.text("DEL", "1", "2",
                "3", "4", "5", "6", "7", "8"));
        assertTrue(c.awaitClosed(Duration.ofSeconds(10)));
        assertEquals("+PONG", client().text("PING"));
    }

    @Test
    void clientsBeyondTheMaximumAreRefused() {
        start(TestServers.options().maxClients(2));
        RespTestClient first = client();
        RespTestClient second = client();
        assertEquals("+PONG", first.text("PING"));
        assertEquals("+PONG", second.text("PING"));
        RespTestClient third = client();
        assertEquals("-ERR max number of clients reached", third.read().toString());
        assertTrue(third.awaitClosed(Duration.ofSeconds(10)));
        assertEquals(2, server.connectedClients());
        first.close();
        TestServers.await("one client left", () -> server.connectedClients() == 1);
        assertEquals("+PONG", client().text("PING"));
    }

    @Test
    void aSubscriberThatDoesNotReadIsClosedPastThePubSubOutputLimit() throws Exception {
        start(TestServers.options());
        try (java.net.Socket deaf = new java.net.Socket(server.localAddress().getAddress(),
                server.localAddress().getPort())) {
            deaf.setReceiveBufferSize(64 * 1024);
            deaf.getOutputStream().write("*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            RespTestClient publisher = client();
            TestServers.await("the subscription", () -> publisher.text("PUBLISH", "news", "").equals(":1"));
            String message = repeat('m', 1 << 20);
            long receivers = 1;
            for (int i = 0; i < 100 && receivers > 0; i++) {
                receivers = ((io.memfabric.store.protocol.RespMessage.Integer) publisher.call("PUBLISH", "news",
                        message)).value();
            }
            assertEquals(0, receivers, "the deaf subscriber was dropped");
            TestServers.await("only the publisher is left", () -> server.connectedClients() == 1);
            assertEquals("+PONG", publisher.text("PING"));
        }
    }
}
