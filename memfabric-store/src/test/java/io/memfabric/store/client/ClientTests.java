package io.memfabric.store.client;

import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What the client tests share: memfabric's own store server on an ephemeral loopback port, and client options with
 * deadlines short enough that a hang fails a test quickly.
 */
final class ClientTests {
    /** Request timeout of test clients: long enough for a loaded 2-core machine, short enough to fail fast. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private ClientTests() {
    }

    /** @return server options listening on an ephemeral loopback port. */
    static StoreServerOptions.Builder serverOptions() {
        return StoreServerOptions.builder().listen(new InetSocketAddress("127.0.0.1", 0));
    }

    /** @return a started server; the caller closes it. */
    static StoreServer startServer() {
        return StoreServer.start(serverOptions().build());
    }

    /** @return client options for {@code server}. */
    static StoreClientOptions.Builder options(StoreServer server) {
        return StoreClientOptions.builder(server.url())
                .connectTimeout(Duration.ofSeconds(10))
                .requestTimeout(REQUEST_TIMEOUT);
    }

    /** @return a client of {@code server}; the caller closes it. */
    static StoreClient connect(StoreServer server) {
        return StoreClient.connect(options(server).build());
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
