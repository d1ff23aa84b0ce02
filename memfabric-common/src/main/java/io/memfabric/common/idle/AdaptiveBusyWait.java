package io.memfabric.common.idle;

/**
 * The busy phase of a wait in the transports and the copy engine (an {@link IdleStrategy}): poll, and between polls
 * either spin ({@code Thread.onSpinWait}) or yield the core, until the budget is spent; the caller then parks (in a
 * selector, or with {@code LockSupport}). Create one per wait, or keep one per connection and {@link #reset()} it
 * whenever a poll finds work: a kept instance learns which way of waiting works better where it runs.
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
 * included) in each mode — <i>spin</i> (spin, yield once every {@value #YIELD_PERIOD_NS} ns), <i>yield</i> (yield at
 * every poll) and, where allowed, <i>park</i> (no busy phase) — and uses the one with the shortest moving average,
 * trying each other mode for {@value #EXPLORE_WAITS} waits out of every {@value #ROUND_WAITS} so that it notices when
 * the situation changes. CPU cost: the whole budget of busy polling per wait that finds nothing.
 *
 * <p>Thread safety: one instance per waiting thread (a connection's instance is used by the thread holding it).
 */
public final class AdaptiveBusyWait implements IdleStrategy {
    /** In spin mode, how often a busy waiter yields the core anyway (bounds a lock-step with a peer on its core). */
    public static final long YIELD_PERIOD_NS = 20_000;
    /** Waits per round of adaptation. */
    static final int ROUND_WAITS = 128;
    /** Waits per round spent in each mode that is not the current choice. */
    static final int EXPLORE_WAITS = 8;
    /** Weight of a new sample in a mode's moving average: 1/8. */
    private static final int EWMA_SHIFT = 3;
    private static final int SPIN = 0;
    private static final int YIELD = 1;
    private static final int PARK = 2;

    private final long budgetNs;
    private final int modes;
    private final long[] averageNs;
    private boolean waiting;
    private long startNs;
    private long nextYieldNs;
    /** The mode of the current wait. */
    private int mode;
    /** The mode chosen from the averages. */
    private int preferred = SPIN;
    private int waits;

    /**
     * A waiter that chooses between spinning and yielding.
     *
     * @param budgetNs how long the busy phase may last, {@code >= 0}
     */
    public AdaptiveBusyWait(long budgetNs) {
        this(budgetNs, false);
    }

    /**
     * @param budgetNs  how long the busy phase may last, {@code >= 0}
     * @param mayPark   whether parking at once is a third mode to choose from: for waits inside a bulk transfer, where
     *                  the other end is busy copying and a busy waiter on its core only slows it down (on 2 cores,
     *                  measured both ways: 1 MiB tcp writes ran 35% faster busy-polling on a quiet machine, and
     *                  faster parking on a loaded one). Not for waits of request and reply: a park lets the scheduler
     *                  wake the thread on its peer's core, where the two then share one core.
     */
    public AdaptiveBusyWait(long budgetNs, boolean mayPark) {
        this.budgetNs = budgetNs;
        this.modes = mayPark ? 3 : 2;
        this.averageNs = new long[] {-1, -1, -1};
    }

    /**
     * One step of the busy phase, after a poll found nothing.
     *
     * @return {@code true} when the caller should poll again; {@code false} when the budget is spent (or this wait
     *         parks at once) and it should park (and call this again after the park, which returns {@code false} at
     *         once until {@link #reset()})
     */
    @Override
    public boolean idle() {
        long now = System.nanoTime();
        if (!waiting) {
            waiting = true;
            startNs = now;
            nextYieldNs = now + YIELD_PERIOD_NS;
            mode = modeOfNextWait();
        }
        if (mode == PARK || now - startNs >= budgetNs) {
            return false;
        }
        if (mode == YIELD || now - nextYieldNs >= 0) {
            Thread.yield();
            nextYieldNs = now + YIELD_PERIOD_NS;
        } else {
            Thread.onSpinWait();
        }
        return true;
    }

    /** The last waits of each round try the other modes, {@link #EXPLORE_WAITS} each; a new instance spins. */
    private int modeOfNextWait() {
        int phase = waits % ROUND_WAITS;
        int exploreFrom = ROUND_WAITS - EXPLORE_WAITS * (modes - 1);
        if (phase < exploreFrom) {
            return preferred;
        }
        int other = (phase - exploreFrom) / EXPLORE_WAITS; // 0 .. modes-2
        return other < preferred ? other : other + 1;
    }

    /** A poll found work: the wait (if any) is over and measured; the next one starts a new busy phase. */
    @Override
    public void reset() {
        if (!waiting) {
            return;
        }
        waiting = false;
        if (budgetNs == 0) {
            return;
        }
        long waited = System.nanoTime() - startNs;
        long average = averageNs[mode];
        averageNs[mode] = average < 0 ? waited : average + ((waited - average) >> EWMA_SHIFT);
        if (++waits % ROUND_WAITS == 0) {
            int best = preferred;
            for (int m = 0; m < modes; m++) {
                if (averageNs[m] >= 0 && averageNs[m] < averageNs[best]) {
                    best = m;
                }
            }
            preferred = best;
        }
    }

    /** @return the mode of the current (or last) wait: {@code spin}, {@code yield} or {@code park}. */
    String currentMode() {
        return mode == SPIN ? "spin" : mode == YIELD ? "yield" : "park";
    }

    /** @return the mode this waiter prefers now: {@code spin}, {@code yield} or {@code park} (for diagnostics). */
    public String preferredMode() {
        return preferred == SPIN ? "spin" : preferred == YIELD ? "yield" : "park";
    }
}
