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

    /**
     * Polls {@code condition} until it holds (the server's state changes on its own thread); fails after 20 s.
     */
    static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }

    /** @return a started server with default settings on an ephemeral loopback port. */
    static StoreServer start() {
        return StoreServer.start(options().build());
    }
}
