package io.memfabric.store.server;

import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A reply held back on the event loop's timer ({@link ClientSession#answerLater}): until it is written, its connection
 * is blocked and later commands queue behind it, so replies stay in order; nothing sleeps.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class DelayedReply implements ClientSession.Block, Runnable {
    private final ClientSession connection;
    private final byte[] reply;
    private Future<?> timer;

    DelayedReply(ClientSession connection, byte[] reply) {
        this.connection = connection;
        this.reply = reply;
    }

    void schedule(EventExecutor loop, long delayNs) {
        timer = loop.schedule(this, delayNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        if (connection.blockedOn() == this && connection.isActive()) {
            connection.out().writeBytes(reply);
            connection.unblock();
            connection.flushIfIdle();
        }
    }

    @Override
    public void cancel() {
        timer.cancel(false);
    }
}
