package io.memfabric.copy;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.PeerLostException;
import io.memfabric.error.ProtocolException;
import io.memfabric.common.idle.AdaptiveBusyWait;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;

/**
 * The completion of one asynchronous copy or batch ({@link CopyEngine#writeAsync}, {@link CopyEngine#submit}). It
 * completes when every part of the copy has stopped touching memory, successfully or not, so once it is done the
 * caller may reuse or free the local segments it named.
 *
 * <p>{@link #poll()} reads the status and allocates nothing; {@link #await()} waits (spinning briefly, then parking)
 * and turns a failure into the typed exception at the API edge.
 *
 * <p>Thread safety: any thread may poll or await, several at once.
 */
public final class CopyHandle {
    /** {@link #poll()}: the copy completed successfully. */
    public static final int DONE = 0;
    /** {@link #poll()}: the copy is still running. */
    public static final int PENDING = 1;

    private static final VarHandle STATUS;
    private static final VarHandle PARTS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATUS = lookup.findVarHandle(CopyHandle.class, "status", int.class);
            PARTS = lookup.findVarHandle(CopyHandle.class, "parts", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Who counts this handle among the outstanding copies, or null (a handle of a synchronous call). */
    private final Listener listener;
    private final long spinNs;
    @SuppressWarnings("unused") // accessed through STATUS
    private volatile int status = PENDING;
    @SuppressWarnings("unused") // accessed through PARTS
    private volatile int parts;
    /** The first failure; written before the release of {@link #status} that publishes it. */
    private MemFabricException failure;
    private final Object failureLock = new Object();
    private volatile int waiters;
    /**
     * Actions to run on completion ({@link #whenDone}); changed under failureLock; null until the first. Volatile: it
     * and the status are a Dekker pair (see whenDone).
     */
    private volatile java.util.List<Runnable> onDone;

    CopyHandle(Listener listener, int parts, long spinNs) {
        this.listener = listener;
        this.parts = parts;
        this.spinNs = spinNs;
    }

    /**
     * Reads the status without waiting or allocating.
     *
     * @return {@link #PENDING} while the copy runs (poll again later); {@link #DONE} when it succeeded; otherwise the
     *         negative {@link ErrorCode#value()} of the first failure ({@code PEER_UNAVAILABLE} -2301: the peer is
     *         gone;
     *         {@code ADDRESS_OUT_OF_RANGE} -2302; {@code PROTOCOL_ERROR} -2303; {@code TIMEOUT} -2004): call
     *         {@link #await()} for the exception and its message
     */
    public int poll() {
        return (int) STATUS.getAcquire(this);
    }

    /** @return whether the copy has completed, successfully or not. */
    public boolean isDone() {
        return poll() != PENDING;
    }

    /**
     * Waits for the copy. Each wait is bounded: every transfer of the copy ends by itself within the engine's peer
     * timeout.
     *
     * @throws PeerLostException            {@code PEER_UNAVAILABLE} when a peer was lost
     * @throws AddressOutOfRangeException   when a peer rejected a range
     * @throws MemFabricException           another failure, with its {@link ErrorCode}; the original is the cause
     */
    public void await() {
        awaitNanos(Long.MAX_VALUE);
    }

    /**
     * Waits at most {@code timeout} for the copy.
     *
     * @param timeout how long to wait, {@code >= 0}
     * @throws MemFabricTimeoutException {@code TIMEOUT} when the copy is still running after {@code timeout}; it goes
     *                                   on, and may be awaited again
     * @throws MemFabricException        as for {@link #await()}
     */
    public void await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long ns = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        if (!awaitNanos(ns)) {
            throw new MemFabricTimeoutException("copy still running after " + timeout.toMillis() + " ms");
        }
    }

    private boolean awaitNanos(long timeoutNs) {
        int s = waitForStatus(timeoutNs);
        if (s == PENDING) {
            return false;
        }
        if (s != DONE) {
            throw rethrow(failure);
        }
        return true;
    }

    private int waitForStatus(long timeoutNs) {
        int s = poll();
        if (s != PENDING) {
            return s;
        }
        long start = System.nanoTime();
        AdaptiveBusyWait busy = new AdaptiveBusyWait(Math.min(spinNs, timeoutNs));
        while (busy.idle()) {
            s = poll();
            if (s != PENDING) {
                return s;
            }
        }
        synchronized (failureLock) {
            waiters++;
            try {
                while ((s = poll()) == PENDING) {
                    long remaining = timeoutNs == Long.MAX_VALUE ? Long.MAX_VALUE
                            : timeoutNs - (System.nanoTime() - start);
                    if (remaining <= 0) {
                        return PENDING;
                    }
                    try {
                        long ms = remaining == Long.MAX_VALUE ? 0 : Math.max(1, remaining / 1_000_000);
                        failureLock.wait(ms);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new MemFabricException(ErrorCode.ERROR, "interrupted while awaiting a copy", e);
                    }
                }
            } finally {
                waiters--;
            }
        }
        return s;
    }

    /**
     * Runs {@code action} once the copy has completed, successfully or not: at once (on this thread) when it has,
     * otherwise on the thread that completes it. For composing with futures; the action must be short and must not
     * throw.
     *
     * @param action what to run
     */
    public void whenDone(Runnable action) {
        boolean registered = false;
        synchronized (failureLock) {
            if (poll() == PENDING) {
                java.util.List<Runnable> actions = new java.util.ArrayList<>(onDone == null ? 1 : onDone.size() + 1);
                if (onDone != null) {
                    actions.addAll(onDone);
                }
                actions.add(action);
                onDone = actions;
                registered = true;
            }
        }
        if (!registered) {
            action.run();
            return;
        }
        // The completing thread writes the status, then reads onDone; we wrote onDone, then read the status: one of us
        // sees the other. If it completed without seeing our action, we run it (exactly one of us takes it).
        if (poll() != PENDING) {
            boolean mine;
            synchronized (failureLock) {
                mine = onDone != null && onDone.contains(action);
                if (mine) {
                    java.util.List<Runnable> rest = new java.util.ArrayList<>(onDone);
                    rest.remove(action);
                    onDone = rest.isEmpty() ? null : rest;
                }
            }
            if (mine) {
                action.run();
            }
        }
    }

    /** Records the success of one part; the handle completes with the last part. */
    void partDone() {
        if ((int) PARTS.getAndAdd(this, -1) == 1) {
            finish();
        }
    }

    /** Records the failure of one part; the first failure is the one reported. */
    void partFailed(MemFabricException e) {
        synchronized (failureLock) {
            if (failure == null) {
                failure = e;
            }
        }
        if ((int) PARTS.getAndAdd(this, -1) == 1) {
            finish();
        }
    }

    private void finish() {
        MemFabricException f;
        synchronized (failureLock) {
            f = failure;
        }
        // Release: the failure written above, and every byte the copy moved, are visible to a thread that reads the
        // status with poll() (getAcquire).
        STATUS.setRelease(this, f == null ? DONE : f.code().value());
        // waiters is volatile and the status store above is ordered before this read for a Dekker-style hand-off: a
        // waiter increments waiters before it re-checks the status, so either it sees the status or we see it.
        VarHandle.fullFence();
        java.util.List<Runnable> actions = null;
        if (waiters > 0 || onDone != null) {
            synchronized (failureLock) {
                failureLock.notifyAll();
                actions = onDone;
                onDone = null;
            }
        }
        if (actions != null) {
            for (Runnable action : actions) {
                action.run();
            }
        }
        if (listener != null) {
            listener.completed(this, f);
        }
    }

    /** Told when a handle completes (the accounting of asynchronous copies). */
    interface Listener {
        /**
         * @param handle  the handle, now done
         * @param failure its first failure, or {@code null}
         */
        void completed(CopyHandle handle, MemFabricException failure);
    }

    /** @return the first failure of a completed handle, or {@code null}. */
    MemFabricException failure() {
        synchronized (failureLock) {
            return failure;
        }
    }

    /**
     * @param original a failure recorded on another thread
     * @return an exception of the same kind and code whose stack is the caller's and whose cause is {@code original}
     */
    static MemFabricException rethrow(MemFabricException original) {
        String message = original.getMessage();
        MemFabricException copy;
        if (original instanceof PeerLostException lost) {
            copy = new PeerLostException(lost.rank(), message);
        } else if (original instanceof AddressOutOfRangeException range) {
            copy = new AddressOutOfRangeException(message, range.gva(), range.length());
        } else if (original instanceof ProtocolException) {
            copy = new ProtocolException(original.code(), message);
        } else if (original instanceof MemFabricTimeoutException) {
            copy = new MemFabricTimeoutException(original.code(), message);
        } else if (original instanceof ConfigurationException) {
            copy = new ConfigurationException(original.code(), message);
        } else {
            copy = new MemFabricException(original.code(), message);
        }
        copy.initCause(original);
        return copy;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        int s = poll();
        return "CopyHandle{" + (s == PENDING ? "pending" : s == DONE ? "done" : "failed " + ErrorCode.of(s)) + "}";
    }
}
