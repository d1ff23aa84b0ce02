package io.memfabric.copy;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.idle.AdaptiveBusyWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The engine's worker threads: they run asynchronous copies, the stripes of large tcp transfers and batch groups. An
 * idle worker polls its queue for {@code spinNs} (so that a burst of submissions is picked up without a wake-up),
 * then blocks in the queue until work arrives.
 *
 * <p>A thread that waits for parts it submitted runs the parts nobody has started yet itself ({@link PartTask#claim}),
 * so waiting never needs a free worker and nested submissions cannot deadlock.
 *
 * <p>Thread safety: {@link #submit} from any thread; {@link #close()} once.
 */
final class Workers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Workers.class);

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread[] threads;
    private final long spinNs;
    private volatile boolean closed;

    Workers(int count, long spinNs, Function<Runnable, Thread> threadMaker) {
        this.spinNs = spinNs;
        this.threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            threads[i] = threadMaker.apply(this::loop);
            threads[i].start();
        }
    }

    /** @return whether the workers may access {@code segment} (not a segment of another thread's confined arena). */
    boolean canAccess(MemorySegment segment) {
        return segment.isAccessibleBy(threads[0]);
    }

    /** Queues a task; once the workers are closed, runs it on the calling thread (so that nobody waits forever). */
    void submit(Runnable task) {
        queue.add(task);
        if (closed && queue.remove(task)) {
            task.run();
        }
    }

    private void loop() {
        while (!closed) {
            Runnable task = queue.poll();
            if (task == null) {
                AdaptiveBusyWait busy = new AdaptiveBusyWait(spinNs);
                while (task == null && busy.idle()) {
                    task = queue.poll();
                }
            }
            if (task == null) {
                try {
                    task = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
            }
            if (task != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("copy worker task failed", e);
                }
            }
        }
    }

    /** Stops the workers after their current task and joins them; queued tasks are run by their waiters. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Thread thread : threads) {
            if (thread != null && thread != Thread.currentThread()) {
                thread.interrupt();
                CloseHelper.quietClose(() -> thread.join(10_000));
            }
        }
        Runnable rest;
        while ((rest = queue.poll()) != null) {
            rest.run();
        }
    }
}
