package io.memfabric.store.client;

import io.memfabric.common.CloseOnce;

import java.util.function.Consumer;

/**
 * One {@code MF.WATCH}: the client's own id, stable across reconnects (the server numbers its watches per
 * connection, so a re-registered watch gets a new server id), and the listener to call once.
 *
 * <p>Thread safety: {@link #finish()} decides, once, between firing and cancelling, from any thread; the server id
 * fields belong to the event loop.
 */
final class Watch implements Registration {
    static final long NO_SERVER_ID = -1;

    final long id;
    final RespStoreClient owner;
    final String key;
    final Consumer<byte[]> listener;
    /** The server's id on the current push connection, or {@link #NO_SERVER_ID}. Event loop only. */
    long serverId = NO_SERVER_ID;
    /** Whether the server confirmed this watch once, so that a reconnect must register it again. Event loop only. */
    boolean registered;
    /** Ended once, by firing or by cancelling: the same one-shot CAS as a close. */
    private final CloseOnce done = new CloseOnce();

    Watch(long id, RespStoreClient owner, String key, Consumer<byte[]> listener) {
        this.id = id;
        this.owner = owner;
        this.key = key;
        this.listener = listener;
    }

    /** @return true for the one caller that ends the watch (by firing or cancelling it), false for any later one. */
    boolean finish() {
        return done.begin();
    }

    /** @return whether the watch fired or was cancelled. */
    boolean isDone() {
        return done.isClosed();
    }

    @Override
    public void release() {
        owner.core.watches.cancel(this);
    }
}
