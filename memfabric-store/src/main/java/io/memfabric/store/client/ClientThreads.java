package io.memfabric.store.client;

import io.memfabric.store.StoreUrl;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The two threads of a root client, both from {@link StoreClientOptions#ioThreadFactory()} and
 * {@link StoreClientOptions#callbackThreadFactory()}: the I/O thread (one Netty event loop, epoll where available,
 * else NIO), which owns every connection and all of the client's mutable state, and the callback thread, which runs
 * watch, event and reconnect callbacks so that user code never runs on the event loop.
 *
 * <p>Thread safety: safe from any thread. {@link #stop} joins both threads, except the calling one.
 */
final class ClientThreads {
    private static final Logger LOG = LoggerFactory.getLogger(ClientThreads.class);
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    private final StoreUrl url;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Class<? extends SocketChannel> channelClass;
    private final ThreadPoolExecutor callbacks;
    private final Executor callbackExecutor;
    private volatile Thread ioThread;
    private volatile Thread callbackThread;

    ClientThreads(StoreClientOptions options) {
        this.url = options.url();
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread thread = options.ioThreadFactory().newThread(r);
            ioThread = thread;
            return thread;
        }, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.callbacks = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread thread = options.callbackThreadFactory().newThread(r);
            callbackThread = thread;
            return thread;
        });
        // Started now, not on the first callback: the thread is known to stop() (which must not wait for itself
        // when called from a callback), and a thread dump shows the client's whole shape from the start.
        callbacks.prestartCoreThread();
        this.callbackExecutor = task -> {
            try {
                callbacks.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
    }

    /** @return the event loop that owns the client's state and connections. */
    EventLoop loop() {
        return loop;
    }

    /** @return the socket channel class that goes with the event loop (epoll or NIO). */
    Class<? extends SocketChannel> channelClass() {
        return channelClass;
    }

    /** @return runs callbacks on the callback thread; after close on the calling thread, so futures complete. */
    Executor callbackExecutor() {
        return callbackExecutor;
    }

    /**
     * Runs {@code task} on the event loop.
     *
     * @return false when the event loop no longer accepts tasks (the client is closed)
     */
    boolean execute(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Stops the event loop after the tasks queued so far and waits for it (not when called on it).
     *
     * @return whether the event loop has terminated
     */
    boolean stopEventLoop() {
        io.netty.util.concurrent.Future<?> terminated = group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (!loop.inEventLoop() && !terminated.awaitUninterruptibly(CLOSE_TIMEOUT_MS)) {
            LOG.warn("store client of {}: I/O thread did not stop within {} ms", url, CLOSE_TIMEOUT_MS);
        }
        return terminated.isDone();
    }

    /**
     * Stops the callback thread after the callbacks queued so far, and waits for both threads to exit (not for the
     * calling thread, when a callback or the event loop closes the client).
     */
    void stop() {
        callbacks.shutdown();
        join(ioThread, "I/O");
        join(callbackThread, "callback");
    }

    private void join(Thread thread, String role) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(CLOSE_TIMEOUT_MS);
            if (thread.isAlive()) {
                LOG.warn("store client of {}: {} thread {} did not stop within {} ms", url, role, thread.getName(),
                        CLOSE_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
