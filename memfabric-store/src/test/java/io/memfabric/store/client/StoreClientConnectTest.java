package io.memfabric.store.client;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.memfabric.store.client.ClientTests.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connecting: retries until the store is up, typed failures naming the URL, and closing from a callback. */
@Timeout(60)
class StoreClientConnectTest {
    private StoreServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static StoreClientOptions.Builder options(int port) {
        return StoreClientOptions.builder(new StoreUrl("127.0.0.1", port, false))
                .requestTimeout(ClientTests.REQUEST_TIMEOUT);
    }

    @Test
    void aClientStartedBeforeTheStoreConnectsOnceTheStoreIsUp() throws Exception {
        int port = freePort();
        CompletableFuture<StoreClient> connecting = CompletableFuture.supplyAsync(
                () -> StoreClient.connect(options(port).connectTimeout(Duration.ofSeconds(30)).build()));
        server = StoreServer.start(ClientTests.serverOptions().listen(new InetSocketAddress("127.0.0.1", port))
                .build());
        try (StoreClient client = connecting.get(30, TimeUnit.SECONDS)) {
            client.set("late", bytes("start"));
            assertArrayEquals(bytes("start"), client.get("late"));
        }
    }

    @Test
    void anUnreachableStoreFailsWithIoErrorNamingTheUrl() throws Exception {
        int port = freePort();
        StoreException e = assertThrows(StoreException.class,
                () -> StoreClient.connect(options(port).connectTimeout(Duration.ofMillis(300)).build()));
        assertEquals(ErrorCode.STORE_IO_ERROR, e.code());
        assertTrue(e.getMessage().contains("tcp://127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("attempt"), e.getMessage());
    }

    @Test
    void aPeerThatDoesNotSpeakRespFailsAtOnce() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = Thread.ofPlatform().daemon().start(() -> {
                try (Socket socket = listener.accept(); OutputStream out = socket.getOutputStream()) {
                    out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    socket.getInputStream().read();
                } catch (IOException ignored) {
                    // the client hung up
                }
            });
            StoreException e = assertThrows(StoreException.class, () -> StoreClient.connect(
                    options(listener.getLocalPort()).connectTimeout(Duration.ofSeconds(30)).build()));
            assertTrue(e.getMessage().contains("tcp://127.0.0.1:" + listener.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("Protocol error"), e.getMessage());
            peer.join(10_000);
        }
    }

    @Test
    void aCallbackMayCloseTheClient() throws Exception {
        server = ClientTests.startServer();
        StoreClient client = ClientTests.connect(server);
        CountDownLatch closed = new CountDownLatch(1);
        client.watch("close-me", v -> {
            client.close();
            closed.countDown();
        });
        try (StoreClient other = ClientTests.connect(server)) {
            other.set("close-me", bytes("now"));
        }
        assertTrue(closed.await(20, TimeUnit.SECONDS), "close() from the callback thread returned");
        StoreException e = assertThrows(StoreException.class, () -> client.get("close-me"));
        assertEquals(ErrorCode.STORE_CLIENT_CLOSED, e.code());
    }
}
