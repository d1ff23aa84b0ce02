package io.memfabric.common;

import java.util.concurrent.locks.LockSupport;

/**
 * A wait that spins, then yields, then parks with a doubling {@code parkNanos} up to a cap (after Agrona's
 * BackoffIdleStrategy). Call {@link #idle()} each time a poll found nothing and {@link #reset()} when work arrives.
 *
 * <p>CPU cost: up to {@code maxSpins} busy iterations and {@code maxYields} yields per idle period, then none but the
 * wake-ups. On a 2-core machine a spinning waiter competes with the thread it waits for, so keep the spin budget small.
 * Linux timer slack (about 50 µs) blunts parks shorter than that.
 *
 * <p>Thread safety: one instance per waiting thread.
 */
public final class Backoff {
    private final long maxSpins;
    private final long maxYields;
    private final long minParkNs;
    private final long maxParkNs;
    private long spins;
    private long yields;
    private long parkNs;

    /**
     * @param maxSpins  busy iterations before yielding
     * @param maxYields yields before parking
     * @param minParkNs the first park, nanoseconds
     * @param maxParkNs the longest park, nanoseconds
     */
    public Backoff(long maxSpins, long maxYields, long minParkNs, long maxParkNs) {
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

    /** Waits a little: spin, yield or park, depending on how long this idle period has lasted. */
    public void idle() {
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
    }

    /** Work arrived: the next idle period starts by spinning again. */
    public void reset() {
        spins = 0;
        yields = 0;
        parkNs = minParkNs;
    }
}
