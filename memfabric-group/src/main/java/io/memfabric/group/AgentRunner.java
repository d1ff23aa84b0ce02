package io.memfabric.group;

import io.memfabric.common.CloseOnce;
import io.memfabric.common.idle.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one {@link Agent} on a thread of its own (Agrona's {@code AgentRunner}): {@code idle.idle(agent.doWork())}
 * until closed or interrupted. {@link #wake()} ends an idle pause at once, so an agent fed by a command queue calls it
 * on every offer and idles with a long pause. A failed cycle is logged and the cycle goes on.
 *
 * <p>Thread safety: {@link #start()} once; {@link #wake()}, {@link #isRunning()} and {@link #close()} from any
 * thread.
 */
final class AgentRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);

    private final Agent agent;
    private final IdleStrategy idle;
    private final Thread thread;
    private final Duration joinTimeout;
    private final CloseOnce closed = new CloseOnce();
    private volatile boolean running = true;

    /**
     * @param agent       the agent; its {@link Agent#roleName()} names the thread
     * @param idle        how to wait after a cycle that did no work; it must end its wait on
     *                    {@link LockSupport#unpark} (every strategy in {@code common.idle} parks)
     * @param factory     makes the thread
     * @param joinTimeout how long {@link #close()} waits for the thread to end
     */
    AgentRunner(Agent agent, IdleStrategy idle, ThreadFactory factory, Duration joinTimeout) {
        this.agent = agent;
        this.idle = idle;
        this.joinTimeout = joinTimeout;
        this.thread = factory.newThread(this::run);
        thread.setName(agent.roleName());
    }

    void start() {
        thread.start();
    }

    /** @return {@code false} once {@link #close()} has begun */
    boolean isRunning() {
        return running;
    }

    /** Ends the agent's idle pause, if any, so that it runs a cycle now. */
    void wake() {
        LockSupport.unpark(thread);
    }

    private void run() {
        try {
            try {
                agent.onStart();
            } catch (RuntimeException e) {
                failed(e);
            }
            while (running && !Thread.currentThread().isInterrupted()) {
                int work;
                try {
                    work = agent.doWork();
                } catch (RuntimeException e) {
                    failed(e);
                    work = 0;
                }
                idle.idle(work);
            }
        } finally {
            agent.onClose();
        }
    }

    private void failed(RuntimeException e) {
        if (running) {
            LOG.warn("{}: agent cycle failed", agent.roleName(), e);
        }
    }

    /**
     * Stops the cycle and waits (up to the join timeout) for the thread to end; from the agent's own thread, does not
     * wait. Idempotent.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    @Override
    public void close() throws InterruptedException {
        if (!closed.begin()) {
            return;
        }
        running = false;
        wake();
        if (Thread.currentThread() != thread) {
            thread.join(joinTimeout);
        }
    }
}
