package io.memfabric.common.fault;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class FaultPointTest {
    @Test
    void shouldDoNothingWhenNotArmed() {
        FaultPoint point = FaultPoint.of("test.off");
        point.fire();
        assertFalse(point.failed());
        assertFalse(point.isArmed());
        assertSame(point, FaultPoint.of("test.off"));
    }

    @Test
    void shouldThrowAnInjectedFaultNamingThePointUntilClosed() {
        FaultPoint point = FaultPoint.of("test.fail");
        try (FaultActivation activation = FaultInjector.activate("test.fail", FaultAction.fail())) {
            InjectedFaultException e = assertThrows(InjectedFaultException.class, point::fire);
            assertEquals(ErrorCode.ERROR, e.code());
            assertEquals("fault injected at test.fail (pass 1)", e.getMessage());
            assertTrue(point.failed(), "failed() reports the armed failure instead of throwing");
            assertEquals(2, activation.fired());
        }
        assertFalse(point.isArmed());
        point.fire();
    }

    @Test
    void shouldThrowTheExceptionTheActionNames() {
        FaultPoint point = FaultPoint.of("test.custom");
        try (FaultActivation ignored = FaultInjector.activate(point,
                FaultAction.fail(message -> new StoreException(ErrorCode.STORE_IO_ERROR, message)))) {
            StoreException e = assertThrows(StoreException.class, point::fire);
            assertEquals(ErrorCode.STORE_IO_ERROR, e.code());
        }
        try (FaultActivation ignored = FaultInjector.activate(point, FaultAction.fail(ErrorCode.STORE_TIMEOUT))) {
            assertEquals(ErrorCode.STORE_TIMEOUT, assertThrows(InjectedFaultException.class, point::fire).code());
        }
    }

    @Test
    void shouldSkipThenFireCountTimesThenDisarm() {
        FaultPoint point = FaultPoint.of("test.count");
        try (FaultActivation activation = FaultInjector.activate(point, FaultAction.fail().times(2).skip(1))) {
            assertFalse(point.failed());
            assertTrue(point.failed());
            assertTrue(point.isArmed());
            assertTrue(point.failed());
            assertFalse(point.isArmed(), "the last firing frees the point");
            assertFalse(point.failed());
            assertEquals(2, activation.fired());
            assertEquals(3, activation.passes());
        }
    }

    @Test
    void shouldFireExactlyCountTimesUnderConcurrentPasses() throws InterruptedException {
        FaultPoint point = FaultPoint.of("test.concurrent");
        AtomicInteger failures = new AtomicInteger();
        try (FaultActivation activation = FaultInjector.activate(point, FaultAction.fail().times(1000))) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        if (point.failed()) {
                            failures.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(1000, activation.fired());
        }
        assertEquals(1000, failures.get());
    }

    @Test
    void shouldDelayThePassingThread() {
        FaultPoint point = FaultPoint.of("test.delay");
        try (FaultActivation activation = FaultInjector.activate(point, FaultAction.delay(Duration.ofMillis(50))
                .times(1))) {
            long start = System.nanoTime();
            assertFalse(point.failed(), "a delay is not a failure");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(50).toNanos());
            long again = System.nanoTime();
            point.fire();
            assertTrue(System.nanoTime() - again < Duration.ofMillis(50).toNanos(), "fired once only");
            assertEquals(1, activation.fired());
        }
    }

    @Test
    void shouldReplaceAnArmedActionAndLeaveTheNewOneWhenTheOldIsClosed() {
        FaultPoint point = FaultPoint.of("test.replace");
        FaultActivation first = FaultInjector.activate(point, FaultAction.fail());
        try (FaultActivation second = FaultInjector.activate(point, FaultAction.fail(ErrorCode.STORE_IO_ERROR))) {
            first.close();
            assertTrue(point.isArmed());
            assertEquals(ErrorCode.STORE_IO_ERROR, assertThrows(InjectedFaultException.class, point::fire).code());
            assertEquals("fail:STORE_IO_ERROR", FaultInjector.armed().get("test.replace").toString());
        }
        assertFalse(point.isArmed());
    }

    @Test
    void shouldRefuseBadPointNames() {
        assertThrows(IllegalArgumentException.class, () -> FaultPoint.of("Store Send"));
        assertThrows(IllegalArgumentException.class, () -> FaultPoint.of(".store"));
        FaultPoint.of("test.listed");
        assertTrue(FaultInjector.points().contains("test.listed"));
    }
}
