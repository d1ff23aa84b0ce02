package io.memfabric.common.idle;

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
                java.util.concurrent.locks.LockSupport.parkNanos(fallbackParkNs);
            }
        }
        idle.reset();
        return true;
    }
}
