package io.memfabric.store.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Servers for tests: loopback, ephemeral port. */
final class TestServers {
    private TestServers() {
    }

    /** @return options listening on an ephemeral loopback port, otherwise the defaults. */
    static StoreServerOptions.Builder options() {
        return StoreServerOptions.builder().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** @return a started server with default settings on an ephemeral loopback port. */
    static StoreServer start() {
        return StoreServer.start(options().build());
    }
}
