package io.memfabric.bm;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

/**
 * Whether a {@link BigMemorySpace} is open, and which thread is closing it: once close begins, every call and every
 * wait of another thread stops with {@code NOT_INITIALIZED}, while the closing thread's own leave goes on.
 *
 * <p>Thread safety: any method from any thread.
 */
final class SpaceLifecycle {
    private final String label;
    private final CloseOnce closed = new CloseOnce();
    private volatile Thread closer;

    SpaceLifecycle(String label) {
        this.label = label;
    }

    /**
     * Marks the space closed, by this thread.
     *
     * @return {@code true} for the one caller that closes it
     */
    boolean beginClose() {
        if (!closed.begin()) {
            return false;
        }
        closer = Thread.currentThread();
        return true;
    }

    /** @return whether close has begun. */
    boolean isClosed() {
        return closed.isClosed();
    }

    /** @throws MemFabricException {@code NOT_INITIALIZED} once close has begun */
    void ensureOpen() {
        if (closed.isClosed()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, label + " is closed");
        }
    }

    /** @throws MemFabricException {@code NOT_INITIALIZED} once close has begun, unless this thread is closing */
    void ensureOpenOrClosing() {
        if (closed.isClosed() && Thread.currentThread() != closer) {
            ensureOpen();
        }
    }

    /** @return the space's label, for messages. */
    String label() {
        return label;
    }
}
