package io.memfabric.common.idle;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Loops over an {@link IdleStrategy} that every layer would otherwise write by hand.
 *
 * <p>Thread safety: stateless.
 */
public final class IdleStrategies {
    private IdleStrategies() {
    }

    /**
     * Waits until {@code condition} holds or {@code deadlineNs} ({@link System#nanoTime()} clock) passes, idling
     * between polls. A strategy that ends its busy phase ({@code idle()} returns {@code false}) is followed by short
     * parks of {@code fallbackParkNs}.
     *
     * @param condition      what to wait for; polled first, so a condition that already holds costs one call
     * @param deadlineNs     when to give up
     * @param idle           how to wait between polls (reset first)
     * @param fallbackParkNs the park once {@code idle} has no busy phase left, nanoseconds
     * @return {@code true} when the condition holds, {@code false} when the deadline passed first
     */
    public static boolean deadline(BooleanSupplier condition, long deadlineNs, IdleStrategy idle,
                                   long fallbackParkNs) {
        idle.reset();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs >= 0) {
                return condition.getAsBoolean();
            }
            if (!idle.idle()) {
                LockSupport.parkNanos(fallbackParkNs);
            }
        }
        idle.reset();
        return true;
    }

    /**
     * Waits until {@code condition} holds, with no deadline: for a wait that another thread ends, and usually wakes
     * with {@link LockSupport#unpark} (a hand-off between threads). Idles between polls; once a strategy ends its busy
     * phase, parks for at most {@code fallbackParkNs} at a time ({@link Long#MAX_VALUE}: until unparked). Allocates
     * nothing (keep the condition in a field when the wait is on a hot path).
     *
     * @param condition      what to wait for; polled first
     * @param idle           how to wait between polls (reset first, and again when the condition holds)
     * @param fallbackParkNs the longest park once {@code idle} has no busy phase left, nanoseconds
     */
    public static void await(BooleanSupplier condition, IdleStrategy idle, long fallbackParkNs) {
        idle.reset();
        while (!condition.getAsBoolean()) {
            if (!idle.idle()) {
                LockSupport.parkNanos(fallbackParkNs);
            }
        }
        idle.reset();
    }
}
