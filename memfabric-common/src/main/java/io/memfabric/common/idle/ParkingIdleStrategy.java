package io.memfabric.common.idle;

import java.util.concurrent.locks.LockSupport;

/**
 * Parks a fixed time at every step: no busy phase. For polls whose condition changes on a slow clock (a drain of
 * copies in flight, a file that disappears once a process exits).
 *
 * <p>CPU cost: one wake-up per period.
 *
 * <p>Thread safety: stateless apart from its period; may be shared.
 */
public final class ParkingIdleStrategy implements IdleStrategy {
    private final long parkNs;

    /** @param parkNs the pause per step, nanoseconds, {@code >= 1} */
    public ParkingIdleStrategy(long parkNs) {
        if (parkNs < 1) {
            throw new IllegalArgumentException("parkNs=" + parkNs + " (expected: >= 1)");
        }
        this.parkNs = parkNs;
    }

    @Override
    public boolean idle() {
        LockSupport.parkNanos(parkNs);
        return true;
    }

    @Override
    public void reset() {
        // No state.
    }
}
