package io.memfabric.nativeapi;

import io.memfabric.store.StoreUrl;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Config stores started by this process for the C API: {@code smem_create_config_store} (a standalone store that must
 * start) and TRANS's {@code startConfigServer} (a store started if no process has one on that address yet). They
 * serve until the process exits, as upstream's do; the C API has no call to stop one.
 *
 * <p>Thread safety: every method from any thread.
 */
final class StoreServers {
    private static final List<StoreServer> STARTED = new ArrayList<>();

    private StoreServers() {
    }

    /**
     * Starts a store on {@code url}.
     *
     * @throws io.memfabric.error.MemFabricException {@code INVALID_PARAM} for a malformed URL; an error when it cannot
     *                                               listen there
     */
    static StoreServer start(String url) {
        StoreServer server = StoreServer.start(StoreServerOptions.builder().listen(StoreUrl.parse(url)).build());
        keep(server);
        return server;
    }

    /** Starts a store on {@code url} unless one listens there already (another process won the race). */
    static void startIfAbsent(StoreUrl url) {
        Optional<StoreServer> server = StoreServer.startIfAbsent(StoreServerOptions.builder().listen(url).build());
        server.ifPresent(StoreServers::keep);
    }

    private static void keep(StoreServer server) {
        synchronized (STARTED) {
            STARTED.add(server);
        }
    }
}
