package io.memfabric.store.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that requires {@code AUTH} against clients that never authenticate (D2): they may send small frames only
 * (redis-server's limits for unauthenticated clients), are closed after the auth timeout, have their own budget so
 * that they never lock authenticated clients out, and wrong passwords are answered slowly, per source address, without
 * holding up the event loop.
 */
@Timeout(120)
class UnauthenticatedClientsTest {
    private static final String SECRET = "s3cret";
    private static final int DECLARED_BYTES = 60 << 20;
    private static final int SENT_BYTES = 8 << 20;

    private static StoreServer start(ClientLimits.Builder limits, int maxClients) {
        return StoreServer.start(TestServers.options().authSecret(SECRET).maxClients(maxClients)
                .clientLimits(limits.build()).build());
    }

    @Test
    void shouldRefuseALargeFrameBeforeAuthWithoutBufferingIt() throws Exception {
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        try (StoreServer server = start(ClientLimits.builder(), 100)) {
            long baseline = used(metric);
            List<Socket> sockets = new ArrayList<>();
            long peak = 0;
            try {
                for (int i = 0; i < 8; i++) {
                    Socket socket = new Socket();
                    sockets.add(socket);
                    socket.connect(server.localAddress());
                    OutputStream out = socket.getOutputStream();
                    out.write(("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + DECLARED_BYTES + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    try {
                        out.write(new byte[SENT_BYTES]);
                    } catch (java.io.IOException closedMeanwhile) {
                        // the server answered the header and closed: the payload has nowhere to go
                    }
                    peak = Math.max(peak, used(metric) - baseline);
                }
                try (RespTestClient c = RespTestClient.connect(server)) {
                    assertEquals("+OK", c.text("AUTH", SECRET), "an authenticating client is still served");
                }
                peak = Math.max(peak, used(metric) - baseline);
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            assertTrue(peak < 8L << 20, "server memory for 8 unauthenticated half-sent " + DECLARED_BYTES
                    + "-byte frames: " + peak + " bytes (expected: < 8 MiB)");
            try (RespTestClient c = RespTestClient.connect(server)) {
                c.send("SET", "k", "v".repeat(16385));
                assertEquals("-ERR Protocol error: unauthenticated bulk length", c.read().toString());
                assertTrue(c.awaitClosed(Duration.ofSeconds(10)));
            }
            try (RespTestClient c = RespTestClient.connect(server)) {
                c.send("DEL", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
                assertEquals("-ERR Protocol error: unauthenticated multibulk length", c.read().toString());
                assertTrue(c.awaitClosed(Duration.ofSeconds(10)));
            }
            try (RespTestClient c = RespTestClient.connect(server)) {
                // Pipelined after AUTH, a large value is read with the full limits: AUTH runs before it is decoded.
                c.send("AUTH", SECRET);
                c.send("SET", "k", "v".repeat(1 << 20));
                assertEquals("+OK", c.read().toString());
                assertEquals("+OK", c.read().toString());
            }
        }
    }

    @Test
    void shouldCloseAConnectionThatDoesNotAuthenticateInTime() throws Exception {
        try (StoreServer server = start(ClientLimits.builder().authTimeout(Duration.ofMillis(200)), 100);
             RespTestClient idle = RespTestClient.connect(server);
             RespTestClient real = RespTestClient.connect(server)) {
            assertEquals("+OK", real.text("AUTH", SECRET));
            assertTrue(idle.awaitClosed(Duration.ofSeconds(10)), "closed after the auth timeout");
            Thread.sleep(400);
            assertEquals("+PONG", real.text("PING"), "an authenticated client is never timed out");
        }
    }

    @Test
    void shouldNotLetIdleUnauthenticatedSocketsLockOutRealClients() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try (StoreServer server = start(ClientLimits.builder().maxUnauthenticated(8), 8)) {
            for (int i = 0; i < 20; i++) {
                Socket socket = new Socket();
                idle.add(socket);
                socket.connect(server.localAddress());
            }
            for (int i = 0; i < 8; i++) {
                try (RespTestClient real = RespTestClient.connect(server)) {
                    assertEquals("+OK", real.text("AUTH", SECRET), "real client " + i);
                    assertEquals("+PONG", real.text("PING"));
                }
            }
            TestServers.await("unauthenticated connections within their budget",
                    () -> server.connectedClients() <= 8);
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void shouldAnswerWrongPasswordsOneDelayApartPerSourceWithoutBlockingOthers() {
        Duration delay = Duration.ofMillis(50);
        try (StoreServer server = start(ClientLimits.builder().authFailureDelay(delay), 100);
             RespTestClient guesser = RespTestClient.connect(server);
             RespTestClient second = RespTestClient.connect(server);
             RespTestClient real = RespTestClient.connect(server)) {
            assertEquals("+OK", real.text("AUTH", SECRET));
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                guesser.send("AUTH", "guess-" + i);
                second.send("AUTH", "other-" + i);
            }
            for (int i = 0; i < 10; i++) {
                assertEquals("+PONG", real.text("PING"), "the event loop serves others meanwhile");
                assertTrue(guesser.read().toString().startsWith("-WRONGPASS"));
                assertTrue(second.read().toString().startsWith("-WRONGPASS"));
            }
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= 19 * delay.toNanos(), "20 wrong passwords from one address took "
                    + elapsed / 1_000_000 + " ms (expected: >= 19 x " + delay.toMillis() + " ms)");
            assertEquals("+OK", guesser.text("AUTH", SECRET), "the right password still works");
        }
    }

    private static long used(ByteBufAllocatorMetric metric) {
        return metric.usedHeapMemory() + metric.usedDirectMemory();
    }
}
