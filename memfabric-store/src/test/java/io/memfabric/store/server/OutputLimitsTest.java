package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * redis-server's {@code client-output-buffer-limit}: a subscriber that does not read is disconnected once its unsent
 * output passes the hard limit, or stays above the soft limit for the soft time; the publisher and everyone else
 * carry on, and {@code INFO stats} counts the disconnection.
 */
@Timeout(60)
class OutputLimitsTest {
    private static final int MESSAGE_BYTES = 32 << 10;

    @Test
    void shouldDisconnectASubscriberWhoseOutputPassesTheHardLimit() throws Exception {
        ClientLimits limits = ClientLimits.builder().outputHardLimitBytes(1 << 20).outputSoftLimit(0,
                Duration.ofSeconds(60)).build();
        try (StoreServer server = start(limits);
             RespTestClient publisher = RespTestClient.connect(server);
             Socket subscriber = nonReadingSubscriber(server, publisher)) {
            String message = "m".repeat(MESSAGE_BYTES);
            // The kernel's socket buffers absorb a few MiB before anything stays in the server.
            for (int i = 0; i < 1024 && !publisher.text("PUBLISH", "ch", message).equals(":0"); i++) {
                assertEquals("+PONG", publisher.text("PING"));
            }
            assertEquals(":0", publisher.text("PUBLISH", "ch", message), "the subscriber is gone");
            assertTrue(RespTestClient.over(subscriber).awaitClosed(Duration.ofSeconds(10)));
            assertTrue(info(publisher).contains("client_output_buffer_limit_disconnections:1\r\n"), info(publisher));
        }
    }

    @Test
    void shouldDisconnectASubscriberThatStaysAboveTheSoftLimitForTheSoftTime() throws Exception {
        ClientLimits limits = ClientLimits.builder().outputHardLimitBytes(256L << 20)
                .outputSoftLimit(64 << 10, Duration.ofMillis(300)).build();
        try (StoreServer server = start(limits);
             RespTestClient publisher = RespTestClient.connect(server);
             Socket subscriber = nonReadingSubscriber(server, publisher)) {
            String message = "m".repeat(MESSAGE_BYTES);
            long start = System.nanoTime();
            for (int i = 0; i < 512; i++) {
                publisher.text("PUBLISH", "ch", message);
            }
            TestServers.await("the subscriber is disconnected",
                    () -> info(publisher).contains("client_output_buffer_limit_disconnections:1\r\n"));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos(), "not before the soft time");
            assertTrue(RespTestClient.over(subscriber).awaitClosed(Duration.ofSeconds(10)));
            assertEquals("+PONG", publisher.text("PING"));
        }
    }

    private static StoreServer start(ClientLimits limits) {
        return StoreServer.start(TestServers.options().maxValueBytes(64 << 10).clientLimits(limits).build());
    }

    /** A raw subscriber with a small receive buffer that never reads after subscribing. */
    private static Socket nonReadingSubscriber(StoreServer server, RespTestClient publisher) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 << 10);
        socket.connect(server.localAddress());
        OutputStream out = socket.getOutputStream();
        out.write("*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        TestServers.await("the subscription is active", () -> publisher.text("PUBLISH", "ch", "x").equals(":1"));
        return socket;
    }

    private static String info(RespTestClient client) {
        return client.call("INFO", "stats").toString();
    }
}
