package io.memfabric.common.idle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class AdaptiveBusyWaitTest {
    @Test
    void aNewWaiterShouldSpinAndAZeroBudgetShouldParkAtOnce() {
        AdaptiveBusyWait wait = new AdaptiveBusyWait(1_000_000);
        assertEquals("spin", wait.preferredMode());
        assertTrue(wait.idle());
        assertEquals("spin", wait.currentMode());
        wait.reset();
        AdaptiveBusyWait none = new AdaptiveBusyWait(0);
        assertFalse(none.idle());
        assertFalse(none.idle());
        none.reset();
    }

    @Test
    void theBudgetShouldEndTheBusyPhase() {
        AdaptiveBusyWait wait = new AdaptiveBusyWait(200_000);
        long start = System.nanoTime();
        while (wait.idle()) {
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
        }
        assertFalse(wait.idle(), "stays spent until reset");
        wait.reset();
        assertTrue(wait.idle());
    }

    @Test
    void aWaiterShouldTryEveryModeAndPreferTheOneWhoseWaitsAreShortest() {
        AdaptiveBusyWait wait = new AdaptiveBusyWait(10_000_000, true);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2 * AdaptiveBusyWait.ROUND_WAITS; i++) {
            wait.idle();
            String mode = wait.currentMode();
            seen.add(mode);
            if (!mode.equals("park")) {
                LockSupport.parkNanos(300_000); // spinning and yielding "wait long" here; parking does not
            }
            wait.reset();
        }
        assertEquals(Set.of("spin", "yield", "park"), seen);
        assertEquals("park", wait.preferredMode());
    }

    @Test
    void sizeClassesShouldStepBySixteenFrom16KiB() {
        assertEquals(0, AdaptiveBusyWait.sizeClassOf(0));
        assertEquals(0, AdaptiveBusyWait.sizeClassOf(64));
        assertEquals(0, AdaptiveBusyWait.sizeClassOf(16 << 10));
        assertEquals(1, AdaptiveBusyWait.sizeClassOf((16 << 10) + 1));
        assertEquals(1, AdaptiveBusyWait.sizeClassOf(256 << 10));
        assertEquals(2, AdaptiveBusyWait.sizeClassOf((256 << 10) + 1));
        assertEquals(2, AdaptiveBusyWait.sizeClassOf(1 << 20));
        assertEquals(2, AdaptiveBusyWait.sizeClassOf(4 << 20));
        assertEquals(3, AdaptiveBusyWait.sizeClassOf((4 << 20) + 1));
        assertEquals(3, AdaptiveBusyWait.sizeClassOf(Long.MAX_VALUE));
    }

    @Test
    void waitsOfSmallTransfersShouldLeaveTheModeOfLargeOnes() {
        AdaptiveBusyWait wait = new AdaptiveBusyWait(10_000_000, true);
        wait.sizeClass(64);
        for (int i = 0; i < 2 * AdaptiveBusyWait.ROUND_WAITS; i++) {
            wait.idle();
            if (!wait.currentMode().equals("park")) {
                LockSupport.parkNanos(300_000); // spinning and yielding "wait long" here; parking does not
            }
            wait.reset();
        }
        wait.sizeClass(1 << 20);
        assertEquals("spin", wait.preferredMode(), "what 64-byte waits learned is theirs only");
        wait.idle();
        assertEquals("spin", wait.currentMode());
        wait.reset();
    }
}
