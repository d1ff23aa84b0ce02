package io.memfabric.group;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The engine's membership listeners and the one callback thread ({@code memfabric-<group>-r<rank>-callback}) they run
 * on, one event at a time in the order dispatched: the agent never runs user code, so a slow listener delays only
 * later events. A listener that fails is logged and the others still run.
 *
 * <p>Thread safety: {@link #add} and {@link #targets} from any thread; {@link #dispatch} from the agent thread (the
 * order of its calls is the order of the events); {@link #close()} from any thread, the callback thread included.
 */
final class ListenerDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerDispatcher.class);

    private final EngineContext context;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor callbacks;
    /** The one callback thread (set by the executor's factory), so that close() called from a listener can tell. */
    private volatile Thread callbackThread;

    /** Starts the callback thread. */
    ListenerDispatcher(EngineContext context) {
        this.context = context;
        this.callbacks = new ThreadPoolExecutor(1, 1, 0, TimeUnit.NANOSECONDS, new LinkedBlockingQueue<>(),
                r -> callbackThread = context.newThread(r, "callback"));
        callbacks.prestartAllCoreThreads();
    }

    /** @return closing it removes the listener */
    AutoCloseable add(MembershipListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * @return the listeners registered now: taken before a change becomes visible, so that a listener added after
     *         {@code membership()} shows the change does not get it again
     */
    List<MembershipListener> targets() {
        return List.copyOf(listeners);
    }

    /** Tells {@code targets} of {@code event} on the callback thread; dropped once closed. */
    void dispatch(List<MembershipListener> targets, MembershipEvent event) {
        if (targets.isEmpty()) {
            return;
        }
        try {
            callbacks.execute(() -> {
                for (MembershipListener listener : targets) {
                    try {
                        listener.onMembershipChange(event);
                    } catch (RuntimeException e) {
                        LOG.warn("group {} rank {}: listener failed on {}", context.name(), context.rank(), event, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("group {} rank {}: closed; dropped {}", context.name(), context.rank(), event);
        }
    }

    /**
     * Runs the events already dispatched, then stops the callback thread and waits for it (up to the operation
     * timeout; from the callback thread itself, does not wait).
     *
     * @throws InterruptedException when interrupted while waiting
     */
    @Override
    public void close() throws InterruptedException {
        callbacks.shutdown();
        if (Thread.currentThread() != callbackThread) {
            callbacks.awaitTermination(context.timeoutNs(), TimeUnit.NANOSECONDS);
        }
    }
}
