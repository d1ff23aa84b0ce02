package io.memfabric.common.idle;

/**
 * The learning half of {@link AdaptiveBusyWait}, without a clock: for each size class, a moving average of how long
 * the waits made in each mode lasted, the mode chosen from those averages once per round, and the schedule that
 * tries the other modes now and then.
 *
 * <p>Every size class has a state of its own, and a wait updates only the state of its class: a long run of waits in
 * one class (say 100,000 round trips of 64 bytes, where yielding at every poll may win) never changes the mode chosen
 * for another (the waits of 1 MiB transfers), nor the averages that choice is made from. One shared state did: the
 * large transfers then started from the small ones' mode, and compared each mode on averages taken in different
 * phases.
 *
 * <p>Thread safety: one thread at a time (the thread holding its {@link AdaptiveBusyWait}).
 */
final class WaitModeLearner {
    /** Spin between polls, yielding once every {@link AdaptiveBusyWait#YIELD_PERIOD_NS}. */
    static final int SPIN = 0;
    /** Yield at every poll. */
    static final int YIELD = 1;
    /** No busy phase: the caller blocks at once. */
    static final int PARK = 2;
    /** Waits per round of adaptation, per size class. */
    static final int ROUND_WAITS = 128;
    /** Waits per round spent in each mode that is not the current choice. */
    static final int EXPLORE_WAITS = 8;
    /** Weight of a new sample in a mode's moving average: 1/8. */
    private static final int EWMA_SHIFT = 3;
    private static final int MAX_MODES = 3;

    private final int modes;
    private final int classes;
    /** Moving average of the waits of class {@code c} in mode {@code m} at {@code c * MAX_MODES + m}; -1 = none. */
    private final long[] averageNs;
    /** The mode chosen for each class at the end of its last round. */
    private final int[] preferred;
    /** Waits measured in each class. */
    private final int[] waits;

    /**
     * @param mayPark whether {@link #PARK} is a mode to choose from (else only {@link #SPIN} and {@link #YIELD})
     * @param classes how many size classes, at least 1
     */
    WaitModeLearner(boolean mayPark, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes=" + classes + " (expected: >= 1)");
        }
        this.modes = mayPark ? 3 : 2;
        this.classes = classes;
        this.averageNs = new long[classes * MAX_MODES];
        java.util.Arrays.fill(averageNs, -1);
        this.preferred = new int[classes];
        this.waits = new int[classes];
    }

    /**
     * @param sizeClass the class of the wait about to start
     * @return its mode: the class's choice, but in the last waits of each of its rounds the other modes,
     *         {@link #EXPLORE_WAITS} waits each; a class that has not finished a round yet spins
     */
    int modeOfNextWait(int sizeClass) {
        int phase = waits[sizeClass] % ROUND_WAITS;
        int exploreFrom = ROUND_WAITS - EXPLORE_WAITS * (modes - 1);
        int chosen = preferred[sizeClass];
        if (phase < exploreFrom) {
            return chosen;
        }
        int other = (phase - exploreFrom) / EXPLORE_WAITS; // 0 .. modes-2
        return other < chosen ? other : other + 1;
    }

    /**
     * Records one wait of {@code sizeClass} made in {@code mode}; at the end of the class's round, chooses the mode
     * with the shortest average for it.
     *
     * @param sizeClass the class of the wait
     * @param mode      the mode it was made in (from {@link #modeOfNextWait})
     * @param waitedNs  how long it lasted, from the first empty poll to the poll that found work
     */
    void record(int sizeClass, int mode, long waitedNs) {
        int base = sizeClass * MAX_MODES;
        long average = averageNs[base + mode];
        averageNs[base + mode] = average < 0 ? waitedNs : average + ((waitedNs - average) >> EWMA_SHIFT);
        if (++waits[sizeClass] % ROUND_WAITS == 0) {
            int best = preferred[sizeClass];
            for (int m = 0; m < modes; m++) {
                long candidate = averageNs[base + m];
                if (candidate >= 0 && candidate < averageNs[base + best]) {
                    best = m;
                }
            }
            preferred[sizeClass] = best;
        }
    }

    /** @return the mode chosen for {@code sizeClass} now. */
    int preferred(int sizeClass) {
        return preferred[sizeClass];
    }

    /** @return the number of size classes. */
    int classes() {
        return classes;
    }

    /** @return {@code spin}, {@code yield} or {@code park}. */
    static String name(int mode) {
        return mode == SPIN ? "spin" : mode == YIELD ? "yield" : "park";
    }
}
