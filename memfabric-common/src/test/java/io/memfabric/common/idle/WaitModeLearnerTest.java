package io.memfabric.common.idle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.memfabric.common.idle.WaitModeLearner.PARK;
import static io.memfabric.common.idle.WaitModeLearner.SPIN;
import static io.memfabric.common.idle.WaitModeLearner.YIELD;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The state machine of the adaptive wait, fed with made-up wait times (no clock, no timing). */
@Timeout(30)
class WaitModeLearnerTest {
    private static final int SMALL = AdaptiveBusyWait.sizeClassOf(64);
    private static final int LARGE = AdaptiveBusyWait.sizeClassOf(1 << 20);

    /** Feeds {@code count} waits of one class, each lasting what {@code costNs[mode]} says. */
    private static void run(WaitModeLearner learner, int sizeClass, int count, long[] costNs) {
        for (int i = 0; i < count; i++) {
            int mode = learner.modeOfNextWait(sizeClass);
            learner.record(sizeClass, mode, costNs[mode]);
        }
    }

    @Test
    void aLongRunInOneSizeClassShouldNotChangeTheModeChosenForAnother() {
        WaitModeLearner learner = new WaitModeLearner(true, AdaptiveBusyWait.SIZE_CLASSES);
        // Large transfers: spinning waits least.
        run(learner, LARGE, 3 * WaitModeLearner.ROUND_WAITS, new long[] {150_000, 400_000, 300_000});
        assertEquals(SPIN, learner.preferred(LARGE));
        // 100,000 small round trips where yielding waits least (the two ends share a core).
        run(learner, SMALL, 100_000, new long[] {60_000, 16_000, 90_000});
        assertEquals(YIELD, learner.preferred(SMALL));
        assertEquals(SPIN, learner.preferred(LARGE), "the large class keeps its own choice");
        assertEquals(SPIN, learner.modeOfNextWait(LARGE), "and its next wait uses it");
        // The large class's averages were not touched either: one more round with the same costs keeps spinning.
        run(learner, LARGE, WaitModeLearner.ROUND_WAITS, new long[] {150_000, 400_000, 300_000});
        assertEquals(SPIN, learner.preferred(LARGE));
        assertEquals(YIELD, learner.preferred(SMALL));
    }

    @Test
    void aClassNeverSeenShouldStartFromSpinWhateverOthersLearned() {
        WaitModeLearner learner = new WaitModeLearner(true, AdaptiveBusyWait.SIZE_CLASSES);
        run(learner, SMALL, 10 * WaitModeLearner.ROUND_WAITS, new long[] {90_000, 80_000, 10_000});
        assertEquals(PARK, learner.preferred(SMALL));
        for (int c = 0; c < learner.classes(); c++) {
            if (c != SMALL) {
                assertEquals(SPIN, learner.preferred(c), "class " + c);
                assertEquals(SPIN, learner.modeOfNextWait(c), "class " + c);
            }
        }
    }

    @Test
    void eachClassShouldLearnFromItsOwnWaitsOnly() {
        WaitModeLearner learner = new WaitModeLearner(true, AdaptiveBusyWait.SIZE_CLASSES);
        // Interleaved: small waits favour yield, large waits favour park, one after the other.
        for (int i = 0; i < 4 * WaitModeLearner.ROUND_WAITS; i++) {
            run(learner, SMALL, 1, new long[] {60_000, 16_000, 90_000});
            run(learner, LARGE, 1, new long[] {400_000, 500_000, 200_000});
        }
        assertEquals(YIELD, learner.preferred(SMALL));
        assertEquals(PARK, learner.preferred(LARGE));
    }

    @Test
    void eachRoundShouldTryEveryOtherModeForItsExploreWaits() {
        WaitModeLearner learner = new WaitModeLearner(true, 1);
        int[] seen = new int[3];
        for (int i = 0; i < WaitModeLearner.ROUND_WAITS; i++) {
            int mode = learner.modeOfNextWait(0);
            seen[mode]++;
            learner.record(0, mode, 1_000);
        }
        assertEquals(WaitModeLearner.ROUND_WAITS - 2 * WaitModeLearner.EXPLORE_WAITS, seen[SPIN]);
        assertEquals(WaitModeLearner.EXPLORE_WAITS, seen[YIELD]);
        assertEquals(WaitModeLearner.EXPLORE_WAITS, seen[PARK]);
        WaitModeLearner noPark = new WaitModeLearner(false, 1);
        for (int i = 0; i < 10 * WaitModeLearner.ROUND_WAITS; i++) {
            int mode = noPark.modeOfNextWait(0);
            assertEquals(true, mode != PARK, "a waiter that may not park never parks");
            noPark.record(0, mode, mode == SPIN ? 9_000 : 1_000);
        }
        assertEquals(YIELD, noPark.preferred(0));
    }
}
