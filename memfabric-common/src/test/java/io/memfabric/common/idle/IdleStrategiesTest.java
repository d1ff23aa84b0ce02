package io.memfabric.common.idle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class IdleStrategiesTest {
    @Test
    void awaitShouldReturnWhenAnotherThreadSetsTheConditionAndUnparks() throws InterruptedException {
        AtomicBoolean flag = new AtomicBoolean();
        Thread waiter = Thread.currentThread();
        Thread setter = new Thread(() -> {
            LockSupport.parkNanos(20_000_000);
            flag.set(true);
            LockSupport.unpark(waiter);
        });
        setter.start();
        // A zero budget parks at once, and without a bound: only the unpark ends the park.
        IdleStrategies.await(flag::get, new AdaptiveBusyWait(0), Long.MAX_VALUE);
        assertTrue(flag.get());
        setter.join();
    }

    @Test
    void deadlineShouldReportAConditionThatNeverHolds() {
        long start = System.nanoTime();
        assertFalse(IdleStrategies.deadline(() -> false, start + 5_000_000, new ParkingIdleStrategy(100_000),
                100_000));
        assertTrue(IdleStrategies.deadline(() -> true, start, new ParkingIdleStrategy(100_000), 100_000));
    }
}
