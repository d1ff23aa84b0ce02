package io.memfabric.common.fault;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One action armed on one point, from {@link FaultInjector#activate} until {@link #close()}: it counts the passes,
 * fires the action on those its skip and count select, and disarms the point after its last firing, so that the point
 * is free again. A test keeps it in try-with-resources and may ask how often it fired.
 *
 * <p>Thread safety: safe from any thread; concurrent passes each take a distinct pass number.
 */
public final class FaultActivation implements AutoCloseable {
    private final FaultPoint point;
    private final FaultAction action;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong fired = new AtomicLong();

    FaultActivation(FaultPoint point, FaultAction action) {
        this.point = point;
        this.action = action;
    }

    /** @return the point this activation is armed on. */
    public FaultPoint point() {
        return point;
    }

    /** @return the action. */
    public FaultAction action() {
        return action;
    }

    /** @return how many times the action fired so far. */
    public long fired() {
        return fired.get();
    }

    /** @return how many times the point was passed while this activation was armed (skipped passes included). */
    public long passes() {
        return passes.get();
    }

    /** Disarms the point unless another activation replaced this one meanwhile. Idempotent. */
    @Override
    public void close() {
        point.disarm(this);
    }

    /**
     * One pass of the point.
     *
     * @param throwing whether a failure is thrown (from {@link FaultPoint#fire()}) or returned
     * @return whether a failure fired (only when not thrown)
     */
    boolean apply(boolean throwing) {
        long pass = passes.getAndIncrement();
        long skip = action.skip();
        if (pass < skip) {
            return false;
        }
        long count = action.count();
        long firing = pass - skip;
        if (firing >= count) {
            close();
            return false;
        }
        if (firing == count - 1) {
            close(); // the last firing: later passes take the free path at once
        }
        fired.incrementAndGet();
        switch (action.kind()) {
            case DELAY -> sleep(action.delayNs());
            case KILL -> halt(pass + 1);
            case FAIL -> {
                if (throwing) {
                    throw action.failure(point.name(), pass + 1);
                }
                return true;
            }
        }
        return false;
    }

    private static void sleep(long delayNs) {
        // A deliberate stall, not a wait for a condition: the thread sleeps the whole delay, even when interrupted
        // (the interrupt is kept for the code after the point).
        long deadline = System.nanoTime() + delayNs;
        boolean interrupted = false;
        for (long left = delayNs; left > 0; left = deadline - System.nanoTime()) {
            try {
                Thread.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void halt(long pass) {
        PrintStream err = System.err;
        err.println("memfabric fault injection: " + point.name() + " pass " + pass + ": kill, halting with status "
                + action.status());
        err.flush();
        Runtime.getRuntime().halt(action.status());
    }

    @Override
    public String toString() {
        return point.name() + "=" + action + " (fired " + fired.get() + " of " + passes.get() + " passes)";
    }
}
