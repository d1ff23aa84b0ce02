package io.memfabric.transport;

/**
 * The busy phase of a wait in the transports and the copy engine: spin ({@code Thread.onSpinWait}) between polls,
 * yielding the core once every {@value #YIELD_PERIOD_NS} ns, until the budget is spent; the caller then parks (in a
 * selector, or with {@code LockSupport}). Create one per wait, or {@link #reset()} one after each success.
 *
 * <p>Why the periodic yield: on the 2-core reference machine, shared with other work, the two ends of a request
 * sometimes land on the same core. Two pure spinners on one core run in lock-step, each burning its whole budget
 * before the other may run (a 64-byte tcp round trip then measured 2 x budget + 20 µs). Yielding at every poll
 * avoids that but hands the core to unrelated processes at every poll, which on a loaded machine made every round
 * trip cost ~20 µs. A yield every 20 µs bounds the lock-step to about 2 x 20 µs and otherwise costs nothing. CPU
 * cost: the whole budget of busy polling per wait that finds nothing.
 *
 * <p>Thread safety: one instance per waiting thread.
 */
public final class BusyWait {
    /** How often a busy waiter yields the core. */
    public static final long YIELD_PERIOD_NS = 20_000;

    private final long budgetNs;
    private boolean waiting;
    private long startNs;
    private long nextYieldNs;

    /** @param budgetNs how long the busy phase may last, {@code >= 0} */
    public BusyWait(long budgetNs) {
        this.budgetNs = budgetNs;
    }

    /**
     * One step of the busy phase, after a poll found nothing.
     *
     * @return {@code true} when the caller should poll again; {@code false} when the budget is spent and it should
     *         park (and call this again after the park, which returns {@code false} at once until {@link #reset()})
     */
    public boolean idle() {
        long now = System.nanoTime();
        if (!waiting) {
            waiting = true;
            startNs = now;
            nextYieldNs = now + YIELD_PERIOD_NS;
        }
        if (now - startNs >= budgetNs) {
            return false;
        }
        if (now - nextYieldNs >= 0) {
            Thread.yield();
            nextYieldNs = now + YIELD_PERIOD_NS;
        } else {
            Thread.onSpinWait();
        }
        return true;
    }

    /** A poll found work: the next wait starts a new busy phase. */
    public void reset() {
        waiting = false;
    }

    /** @return when the current wait started ({@code System.nanoTime()}), valid after {@link #idle()}. */
    public long startNs() {
        return startNs;
    }
}
