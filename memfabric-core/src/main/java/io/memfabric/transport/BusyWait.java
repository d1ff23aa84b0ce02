package io.memfabric.transport;

/**
 * The busy phase of a wait in the transports and the copy engine: poll, and between polls either spin
 * ({@code Thread.onSpinWait}) or yield the core, until the budget is spent; the caller then parks (in a selector, or
 * with {@code LockSupport}). Create one per wait, or keep one per connection and {@link #reset()} it whenever a poll
 * finds work: a kept instance learns which way of waiting works better where it runs.
 *
 * <h2>Why it adapts</h2>
 * On the 2-core reference machine, shared with other work, two situations were measured with a 64-byte tcp round
 * trip (C busy-poll reference: 7.6 µs):
 * <ul>
 *   <li>the two ends run on different cores, other processes also want cores: spinning gives 8.5-9 µs; yielding at
 *       every poll hands the core to those processes and gave ~20 µs;</li>
 *   <li>the two ends share one core (the scheduler wakes a parked thread on its waker's core, so this follows any
 *       park): a pure spinner holds the core its peer needs until its budget is spent (2 x budget + 20 µs per round
 *       trip); yielding once every 20 / 5 / 2 / 1 µs gave 57 / 26 / 20 / 18 µs, at every poll 16 µs.</li>
 * </ul>
 * So a kept instance measures its waits (from the first idle poll to the {@link #reset()} that ends them, parks
 * included) in each of two modes — <i>spin</i> (spin, yield once every {@value #YIELD_PERIOD_NS} ns) and <i>yield</i>
 * (yield at every poll) — and uses the one with the shorter average, trying the other for {@value #EXPLORE_WAITS}
 * waits out of every {@value #ROUND_WAITS} so that it notices when the situation changes. CPU cost: the whole budget
 * of busy polling per wait that finds nothing.
 *
 * <p>Thread safety: one instance per waiting thread (a connection's instance is used by the thread holding it).
 */
public final class BusyWait {
    /** In spin mode, how often a busy waiter yields the core anyway (bounds a lock-step with a peer on its core). */
    public static final long YIELD_PERIOD_NS = 20_000;
    /** Waits per round of adaptation. */
    static final int ROUND_WAITS = 128;
    /** Waits per round spent in the mode that is not the current choice. */
    static final int EXPLORE_WAITS = 8;
    /** Weight of a new sample in a mode's moving average: 1/8. */
    private static final int EWMA_SHIFT = 3;

    private final long budgetNs;
    private boolean waiting;
    private long startNs;
    private long nextYieldNs;
    /** The mode of the current wait. */
    private boolean yieldMode;
    /** The mode chosen from the averages. */
    private boolean preferYield;
    private long spinAverageNs = -1;
    private long yieldAverageNs = -1;
    private int waits;

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
            // The last waits of each round try the other mode (a new instance starts in spin mode).
            boolean explore = waits % ROUND_WAITS >= ROUND_WAITS - EXPLORE_WAITS;
            yieldMode = explore != preferYield;
        }
        if (now - startNs >= budgetNs) {
            return false;
        }
        if (yieldMode || now - nextYieldNs >= 0) {
            Thread.yield();
            nextYieldNs = now + YIELD_PERIOD_NS;
        } else {
            Thread.onSpinWait();
        }
        return true;
    }

    /** A poll found work: the wait (if any) is over and measured; the next one starts a new busy phase. */
    public void reset() {
        if (!waiting) {
            return;
        }
        waiting = false;
        if (budgetNs == 0) {
            return;
        }
        long waited = System.nanoTime() - startNs;
        if (yieldMode) {
            yieldAverageNs = yieldAverageNs < 0 ? waited : yieldAverageNs + ((waited - yieldAverageNs) >> EWMA_SHIFT);
        } else {
            spinAverageNs = spinAverageNs < 0 ? waited : spinAverageNs + ((waited - spinAverageNs) >> EWMA_SHIFT);
        }
        if (++waits % ROUND_WAITS == 0 && spinAverageNs >= 0 && yieldAverageNs >= 0) {
            preferYield = yieldAverageNs < spinAverageNs;
        }
    }

    /** @return whether this waiter currently prefers yielding at every poll (for tests and diagnostics). */
    public boolean prefersYield() {
        return preferYield;
    }
}
