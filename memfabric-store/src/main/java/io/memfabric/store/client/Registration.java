package io.memfabric.store.client;

/**
 * Something a client registered (a watch, an event subscription, a reconnect hook) that closing the client, or the
 * view that registered it, releases.
 *
 * <p>Thread safety: {@link #release()} may be called from any thread, more than once.
 */
interface Registration extends AutoCloseable {
    /** Releases the registration; idempotent. */
    void release();

    /** Same as {@link #release()}. */
    @Override
    default void close() {
        release();
    }
}
