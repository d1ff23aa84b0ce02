package io.memfabric.common.agent;

import io.memfabric.common.CloseOnce;
import io.memfabric.common.idle.IdleStrategy;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * Runs one {@link Agent} on a thread of its own (Agrona's {@code AgentRunner}): {@code idle.idle(agent.doWork())}
 * until closed or interrupted. {@link #wake()} ends an idle pause at once, so an agent fed by a command queue calls it
 * on every offer and idles with a long pause. A failed cycle goes to the error handler and the cycle goes on.
 *
 * <p>Thread safety: {@link #start()} once; {@link #wake()}, {@link #isRunning()} and {@link #close()} from any
 * thread.
 */
public final class AgentRunner implements AutoCloseable {
    private final Agent agent;
    private final IdleStrategy idle;
    private final Thread thread;
    private final Duration joinTimeout;
    private final BiConsumer<String, RuntimeException> errorHandler;
    private final CloseOnce closed = new CloseOnce();
    private volatile boolean running = true;

    /**
     * @param agent       the agent; its {@link Agent#roleName()} names the thread
     * @param idle        how to wait after a cycle that did no work; it must end its wait on
     *                    {@link LockSupport#unpark} (every strategy in {@code common.idle} parks)
     * @param factory     makes the thread
     * @param joinTimeout how long {@link #close()} waits for the thread to end
     * @param errorHandler told of a cycle that failed (with the agent's role name), on the agent's thread; the cycle
     *                     goes on (Agrona's {@code ErrorHandler}: the runner itself does not log)
     */
    public AgentRunner(Agent agent, IdleStrategy idle, ThreadFactory factory, Duration joinTimeout,
                       BiConsumer<String, RuntimeException> errorHandler) {
        this.agent = agent;
        this.errorHandler = errorHandler;
        this.idle = idle;
        this.joinTimeout = joinTimeout;
        this.thread = factory.newThread(this::run);
        thread.setName(agent.roleName());
    }

    public void start() {
        thread.start();
    }

    /** @return {@code false} once {@link #close()} has begun */
    public boolean isRunning() {
        return running;
    }

    /** Ends the agent's idle pause, if any, so that it runs a cycle now. */
    public void wake() {
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
            errorHandler.accept(agent.roleName(), e);
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
