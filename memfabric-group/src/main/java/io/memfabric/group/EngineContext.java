package io.memfabric.group;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.store.client.StoreClient;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What every part of one engine shares: the options, the store view (prefixed with the group's namespace), the rank,
 * and the engine's closed flag, so that a wait in any part ends when the engine closes.
 *
 * <p>Thread safety: immutable; the view and the flag are safe from any thread.
 *
 * @param options the group's settings
 * @param view    the store under the group's namespace (closed by the engine)
 * @param rank    this engine's rank
 * @param closed  the engine's closed flag
 */
record EngineContext(GroupOptions options, StoreClient view, int rank, CloseOnce closed) {

    String name() {
        return options.name();
    }

    long timeoutNs() {
        return options.operationTimeout().toNanos();
    }

    long timeoutMs() {
        return options.operationTimeout().toMillis();
    }

    /** @return the deadline of an operation that starts now ({@link System#nanoTime()} clock). */
    long deadlineNs() {
        return System.nanoTime() + timeoutNs();
    }

    /** @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} once the engine is closed */
    void ensureOpen() {
        if (closed.isClosed()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "group " + name() + " rank " + rank
                    + " is closed");
        }
    }

    /** @return the name of this engine's thread of {@code role}: {@code memfabric-<group>-r<rank>-<role>}. */
    String threadName(String role) {
        return "memfabric-" + name() + "-r" + rank + "-" + role;
    }

    /** @return a thread of the options' factory, named for {@code role}, not started. */
    Thread newThread(Runnable body, String role) {
        Thread thread = options.threadFactory().newThread(body);
        thread.setName(threadName(role));
        return thread;
    }

    /** @return the time left until {@code deadlineNs}, at least 1 ms (a store wait needs a positive timeout). */
    static Duration remaining(long deadlineNs) {
        return Duration.ofNanos(Math.max(deadlineNs - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1)));
    }
}
