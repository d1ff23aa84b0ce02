package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * This engine's view of the group: the membership it has applied (an immutable snapshot that the agent swaps with one
 * release store) and the epoch at which its own join took effect; and the waits for the snapshot to change.
 *
 * <p>The waits are monitor waits, not polls: the agent notifies on every applied epoch, so a waiter wakes at once and
 * costs nothing in between (an {@link io.memfabric.common.idle.IdleStrategy} would poll the snapshot instead).
 *
 * <p>Thread safety: the agent thread publishes; any thread reads and waits. The join epoch is written by the holder of
 * the engine's lock (join, leave) and by the agent (a removal of this rank).
 */
final class MembershipState {
    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(MembershipState.class, "current", Membership.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EngineContext context;
    private final Object changed = new Object();

    /** Written with a release store by {@link #publish}; read with an acquire load. */
    @SuppressWarnings("unused")
    private Membership current = Membership.EMPTY;

    /**
     * The epoch at which this engine's join took effect, or -1: the store may still list this rank for a previous
     * process, which does not make this engine a member.
     */
    private volatile long joinedAt = -1;

    MembershipState(EngineContext context) {
        this.context = context;
    }

    /** @return the applied membership */
    Membership current() {
        // Acquire: pairs with the release store in publish, so the ranks of the snapshot are fully visible.
        return (Membership) CURRENT.getAcquire(this);
    }

    /** Makes {@code next} the applied membership and wakes the waiters. */
    void publish(Membership next) {
        // Release: a reader that sees this snapshot (getAcquire in current()) sees its ranks fully written.
        CURRENT.setRelease(this, next);
        wakeWaiters();
    }

    /** @return whether this engine has joined and its rank is a member at the applied epoch */
    boolean isMember() {
        return joinedAt >= 0 && current().contains(context.rank());
    }

    /** @return the epoch at which this engine's join took effect, or -1 when it is not joined */
    long joinedAt() {
        return joinedAt;
    }

    /** This engine's join took effect at {@code epoch}. */
    void joined(long epoch) {
        joinedAt = epoch;
    }

    /** This engine left: it must join again to be a member. */
    void left() {
        joinedAt = -1;
    }

    /**
     * This rank was removed at {@code epoch} (e.g. reported failed while alive): unless it joined again since, this
     * engine must join again.
     */
    void removedAt(long epoch) {
        if (epoch > joinedAt) {
            joinedAt = -1;
        }
    }

    /**
     * Waits until the applied membership satisfies {@code condition}.
     *
     * @return the first applied membership that satisfies it, or {@code null} when {@code deadlineNs} passed first
     * @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} when the engine closes while waiting;
     *                            {@link ErrorCode#ERROR} when interrupted
     */
    Membership await(Predicate<Membership> condition, long deadlineNs) {
        synchronized (changed) {
            while (true) {
                Membership m = current();
                if (condition.test(m)) {
                    return m;
                }
                context.ensureOpen();
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(changed, remainingNs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MemFabricException(ErrorCode.ERROR, "interrupted while waiting", e);
                }
            }
        }
    }

    /** Wakes every waiter, e.g. to see that the engine closed. */
    void wakeWaiters() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }
}
