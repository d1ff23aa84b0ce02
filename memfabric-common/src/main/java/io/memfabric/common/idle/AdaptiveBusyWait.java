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
 * <h2>Size classes</h2>
 * What waits least depends on what is awaited: the reply to a 64-byte request comes after one round trip, the reply
 * to a 1 MiB write after the peer has copied a megabyte. A caller that knows the size of the transfer a wait belongs
 * to says so with {@link #sizeClass(long)}, and each of the {@value #SIZE_CLASSES} size classes ({@link #sizeClassOf})
 * learns on its own (see {@code WaitModeLearner}): a long run of small transfers leaves the mode of large ones where
 * it was. A caller that never names a size uses the smallest class.
 *
 * <p>Thread safety: one instance per waiting thread (a connection's instance is used by the thread holding it).
 */
public final class AdaptiveBusyWait implements IdleStrategy {
    /** In spin mode, how often a busy waiter yields the core anyway (bounds a lock-step with a peer on its core). */
    public static final long YIELD_PERIOD_NS = 20_000;
    /**
     * Size classes, by the bytes of the transfer a wait belongs to: up to 16 KiB (a payload that travels with its
     * header), up to 256 KiB, up to 4 MiB, larger.
     */
    public static final int SIZE_CLASSES = 4;
    /** Waits per round of adaptation, per size class. */
    static final int ROUND_WAITS = WaitModeLearner.ROUND_WAITS;
    /** Waits per round spent in each mode that is not the current choice. */
    static final int EXPLORE_WAITS = WaitModeLearner.EXPLORE_WAITS;
    /** log2 of the upper bound of the smallest size class (16 KiB); each next class is 16 times larger. */
    private static final int SMALLEST_CLASS_BITS = 14;
    private static final int CLASS_STEP_BITS = 4;

    private final long budgetNs;
    private final WaitModeLearner learner;
    private boolean waiting;
    private long startNs;
    private long nextYieldNs;
    /** The size class of the next wait. */
    private int sizeClass;
    /** The size class of the current (or last) wait. */
    private int waitClass;
    /** The mode of the current (or last) wait. */
    private int mode;

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
        this.learner = new WaitModeLearner(mayPark, SIZE_CLASSES);
    }

    /**
     * @param transferBytes the bytes of a transfer, {@code >= 0}
     * @return its size class, {@code 0 .. SIZE_CLASSES - 1}: 0 up to 16 KiB, 1 up to 256 KiB, 2 up to 4 MiB, 3 beyond
     */
    public static int sizeClassOf(long transferBytes) {
        // Bits of the largest value in the class: ceil(log2(bytes)) for bytes >= 1.
        int bits = 64 - Long.numberOfLeadingZeros(Math.max(0, transferBytes - 1));
        if (bits <= SMALLEST_CLASS_BITS) {
            return 0;
        }
        return Math.min(SIZE_CLASSES - 1, (bits - SMALLEST_CLASS_BITS + CLASS_STEP_BITS - 1) / CLASS_STEP_BITS);
    }

    /**
     * Names the size of the transfer the next waits belong to (until it is named again), so that they learn in its
     * size class. A wait already under way keeps its class. Allocates nothing.
     *
     * @param transferBytes the bytes of the request (or reply) being sent or awaited
     */
    public void sizeClass(long transferBytes) {
        this.sizeClass = sizeClassOf(transferBytes);
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
            waitClass = sizeClass;
            mode = learner.modeOfNextWait(waitClass);
        }
        if (mode == WaitModeLearner.PARK || now - startNs >= budgetNs) {
            return false;
        }
        if (mode == WaitModeLearner.YIELD || now - nextYieldNs >= 0) {
            Thread.yield();
            nextYieldNs = now + YIELD_PERIOD_NS;
        } else {
            Thread.onSpinWait();
        }
        return true;
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
        learner.record(waitClass, mode, System.nanoTime() - startNs);
    }

    /** @return the mode of the current (or last) wait: {@code spin}, {@code yield} or {@code park}. */
    String currentMode() {
        return WaitModeLearner.name(mode);
    }

    /**
     * @return the mode this waiter prefers now for the size class last named with {@link #sizeClass(long)}:
     *         {@code spin}, {@code yield} or {@code park} (for diagnostics)
     */
    public String preferredMode() {
        return WaitModeLearner.name(learner.preferred(sizeClass));
    }
}
