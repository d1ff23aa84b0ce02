package io.memfabric.store.client;

import io.memfabric.store.StoreUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link StoreClient#onReconnect} hooks: run in registration order on the callback thread once a reconnect has
 * restored the client's identity, ranks, subscription and watches, so that they re-publish what the store lost
 * (upstream's RESTORE). A hook that throws is logged and does not stop the others.
 *
 * <p>Thread safety: safe from any thread (a copy-on-write list); {@link #runAll()} runs on the callback thread.
 */
final class ReconnectHooks {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectHooks.class);

    private final StoreUrl url;
    private final CopyOnWriteArrayList<ReconnectHook> hooks = new CopyOnWriteArrayList<>();

    ReconnectHooks(StoreUrl url) {
        this.url = url;
    }

    /** @return the registration of {@code hook}, which {@code owner} releases when it closes. */
    Registration add(RespStoreClient owner, Runnable hook) {
        ReconnectHook registration = new ReconnectHook(owner, hook);
        hooks.add(registration);
        return registration;
    }

    boolean isEmpty() {
        return hooks.isEmpty();
    }

    /** Runs every hook, logging the ones that throw. */
    void runAll() {
        for (ReconnectHook hook : hooks) {
            try {
                hook.runnable.run();
            } catch (Throwable t) {
                LOG.error("store client of {}: reconnect hook {} threw", url, hook.runnable, t);
            }
        }
    }

    /** Forgets every hook (the client is closing). */
    void clear() {
        hooks.clear();
    }

    /** One registered hook. */
    private final class ReconnectHook implements Registration {
        private final RespStoreClient owner;
        private final Runnable runnable;

        ReconnectHook(RespStoreClient owner, Runnable runnable) {
            this.owner = owner;
            this.runnable = runnable;
        }

        @Override
        public void release() {
            owner.forget(this);
            hooks.remove(this);
        }
    }
}
