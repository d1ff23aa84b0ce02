package io.memfabric.common.agent;

import io.memfabric.common.NamedThreadFactory;
import io.memfabric.common.idle.ParkingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class AgentRunnerTest {
    /** Longer than the test may take: only a wake-up ends this pause. */
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    /** Records its calls; its cycles find work only when told to. */
    private static class RecordingAgent implements Agent {
        final BlockingQueue<String> calls = new LinkedBlockingQueue<>();
        final AtomicInteger pending = new AtomicInteger();
        final AtomicInteger cycles = new AtomicInteger();
        volatile RuntimeException failure;
        /** What the runner's error handler was told. */
        final BlockingQueue<String> handled = new LinkedBlockingQueue<>();

        @Override
        public void onStart() {
            calls.add("start on " + Thread.currentThread().getName());
        }

        @Override
        public int doWork() {
            cycles.incrementAndGet();
            RuntimeException f = failure;
            if (f != null) {
                failure = null;
                calls.add("failed");
                throw f;
            }
            int work = pending.getAndSet(0);
            if (work > 0) {
                calls.add("work " + work);
            }
            return work;
        }

        @Override
        public void onClose() {
            calls.add("close on " + Thread.currentThread().getName());
        }

        @Override
        public String roleName() {
            return "memfabric-test-r0-agent";
        }
    }

    private static AgentRunner runner(RecordingAgent agent) {
        return new AgentRunner(agent, new ParkingIdleStrategy(HOUR_NS), NamedThreadFactory.daemon("unnamed"),
                Duration.ofSeconds(10), (role, e) -> agent.handled.add(role + ": " + e.getMessage()));
    }

    @Test
    void shouldRunTheCycleOnANamedThreadAndEndTheIdlePauseOnWake() throws Exception {
        RecordingAgent agent = new RecordingAgent();
        AgentRunner runner = runner(agent);
        runner.start();
        assertEquals("start on memfabric-test-r0-agent", agent.calls.poll(10, TimeUnit.SECONDS));
        agent.pending.set(3);
        runner.wake();
        assertEquals("work 3", agent.calls.poll(10, TimeUnit.SECONDS));
        runner.close();
        assertFalse(runner.isRunning());
        assertEquals("close on memfabric-test-r0-agent", agent.calls.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldGoOnAfterAFailedCycle() throws Exception {
        RecordingAgent agent = new RecordingAgent();
        try (AgentRunner runner = runner(agent)) {
            runner.start();
            agent.calls.poll(10, TimeUnit.SECONDS);
            agent.failure = new IllegalStateException("expected by the test");
            runner.wake();
            assertEquals("failed", agent.calls.poll(10, TimeUnit.SECONDS));
            assertEquals("memfabric-test-r0-agent: expected by the test", agent.handled.poll(10, TimeUnit.SECONDS));
            agent.pending.set(1);
            runner.wake();
            assertEquals("work 1", agent.calls.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldCloseFromTheAgentsOwnThreadWithoutWaitingForItself() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        AgentRunner[] self = new AgentRunner[1];
        RecordingAgent agent = new RecordingAgent() {
            @Override
            public int doWork() {
                try {
                    self[0].close();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                closed.countDown();
                return 0;
            }
        };
        self[0] = runner(agent);
        self[0].start();
        assertTrue(closed.await(10, TimeUnit.SECONDS));
        assertTrue(agent.calls.poll(10, TimeUnit.SECONDS).startsWith("start"));
        assertEquals("close on memfabric-test-r0-agent", agent.calls.poll(10, TimeUnit.SECONDS));
    }
}
