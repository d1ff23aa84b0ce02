package io.memfabric.common.idle;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Spin, then yield, then park with a pause that doubles from {@code minParkNs} up to {@code maxParkNs} (Agrona's
 * {@code BackoffIdleStrategy}). {@link #idle()} always waits and returns {@code true}.
 *
 * <p>CPU cost: up to {@code maxSpins} busy iterations and {@code maxYields} yields per wait, then only the wake-ups.
 * On a 2-core machine a spinning waiter competes with the thread it waits for, so keep the spin budget small. Linux
 * timer slack (about 50 µs) blunts parks shorter than that.
 *
 * <p>Thread safety: one instance per waiting thread.
 */
public final class BackoffIdleStrategy implements IdleStrategy {
    private final long maxSpins;
    private final long maxYields;
    private final long minParkNs;
    private final long maxParkNs;
    private long spins;
    private long yields;
    private long parkNs;

    /**
     * @param maxSpins  busy iterations before yielding, {@code >= 0}
     * @param maxYields yields before parking, {@code >= 0}
     * @param minParkNs the first park, nanoseconds, {@code >= 1}
     * @param maxParkNs the longest park, nanoseconds, {@code >= minParkNs}
     * @throws IllegalArgumentException naming the bad value
     */
    public BackoffIdleStrategy(long maxSpins, long maxYields, long minParkNs, long maxParkNs) {
        if (maxSpins < 0 || maxYields < 0 || minParkNs < 1 || maxParkNs < minParkNs) {
            throw new IllegalArgumentException("maxSpins=" + maxSpins + " maxYields=" + maxYields + " minParkNs="
                    + minParkNs + " maxParkNs=" + maxParkNs + " (expected: >= 0, >= 0, >= 1, >= minParkNs)");
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    /**
     * A strategy that does not spin or yield: it parks from {@code min} doubling up to {@code max}; for waits of
     * milliseconds and more (reconnects, drains), where a busy phase only burns a core.
     *
     * @param min the first pause
     * @param max the longest pause
     * @return the strategy
     */
    public static BackoffIdleStrategy parking(Duration min, Duration max) {
        return new BackoffIdleStrategy(0, 0, min.toNanos(), max.toNanos());
    }

    @Override
    public boolean idle() {
        if (spins < maxSpins) {
            spins++;
            Thread.onSpinWait();
        } else if (yields < maxYields) {
            yields++;
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
        return true;
    }

    /**
     * @return the pause the next park would take, nanoseconds (for a loop that waits on something else with it, e.g.
     *         a reconnect delay); advances the doubling like a park does
     */
    public long nextPauseNs() {
        long pause = parkNs;
        parkNs = Math.min(parkNs << 1, maxParkNs);
        return pause;
    }

    @Override
    public void reset() {
        spins = 0;
        yields = 0;
        parkNs = minParkNs;
    }
}
