package io.memfabric.common;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes daemon threads named {@code <prefix>} (the first) and {@code <prefix>-<n>} (later ones), so that a thread dump
 * reads like the architecture: {@code memfabric-store-io}, {@code memfabric-<fabric>-r3-group}.
 *
 * <p>Thread safety: safe from any thread.
 */
public final class NamedThreadFactory implements ThreadFactory {
    private final String prefix;
    private final boolean daemon;
    private final AtomicInteger count = new AtomicInteger();

    /**
     * @param prefix the thread name
     * @param daemon whether the threads are daemons (they do not keep the JVM alive)
     */
    public NamedThreadFactory(String prefix, boolean daemon) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.daemon = daemon;
    }

    /** A factory of daemon threads. */
    public static NamedThreadFactory daemon(String prefix) {
        return new NamedThreadFactory(prefix, true);
    }

    @Override
    public Thread newThread(Runnable runnable) {
        int n = count.getAndIncrement();
        Thread thread = new Thread(runnable, n == 0 ? prefix : prefix + "-" + n);
        thread.setDaemon(daemon);
        return thread;
    }
}
