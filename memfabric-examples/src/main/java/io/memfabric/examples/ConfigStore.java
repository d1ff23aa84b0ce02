package io.memfabric.examples;

import io.memfabric.store.StoreUrl;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;

/**
 * A config store in a process of its own, for the ranks of {@link PoolAndCopy} (what {@code bin/memfabric store} does,
 * without the command line): {@code ConfigStore [storeUrl]} (default {@code tcp://127.0.0.1:7000}) prints
 * {@code config store listening on tcp://...} once it accepts connections, and serves until the process is stopped
 * (Ctrl-C or SIGTERM).
 */
public final class ConfigStore {
    private ConfigStore() {
    }

    /**
     * @param args {@code [storeUrl]}
     * @throws InterruptedException never in practice: the main thread waits until the JVM exits
     */
    public static void main(String[] args) throws InterruptedException {
        String storeUrl = args.length > 0 ? args[0] : "tcp://127.0.0.1:7000";
        StoreServer store = StoreServer.start(StoreServerOptions.builder().listen(StoreUrl.parse(storeUrl)).build());
        Runtime.getRuntime().addShutdownHook(new Thread(store::close, "config-store-stop")); // Ctrl-C, SIGTERM
        System.out.println("config store listening on " + store.url());
        Thread.currentThread().join();                      // the server's threads are daemons: keep the JVM alive
    }
}
