package io.memfabric.store.client;

import io.memfabric.common.idle.BackoffIdleStrategy;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreConnection.Role;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * The extra connections for blocking waits: {@code MF.WAIT} blocks its connection like {@code BLPOP}, so each wait
 * gets a connection of its own and never holds up the pipelined main connection. Connections are opened on demand,
 * up to {@link StoreClientOptions#maxBlockingConnections()}, reused, and at most {@value #MAX_IDLE} are kept idle.
 * Waits queue here while every connection is busy or being opened; when opening fails, the next attempt waits a
 * pause that doubles from {@code connectBackoffMin} to {@code connectBackoffMax} ({@link BackoffIdleStrategy}).
 *
 * <p>Thread safety: event loop only.
 */
final class BlockingPool implements DeadlineSweeper.Parked {
    /** Idle blocking connections kept open for the next waits; more are closed when their wait ends. */
    static final int MAX_IDLE = 8;

    private final ClientConductor conductor;
    private final StoreUrl url;
    private final int maxConnections;
    private final long attemptTimeoutNs;
    private final BackoffIdleStrategy backoff;
    private final ArrayDeque<StoreConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    /** Connections open or being opened. */
    private int open;
    private int connecting;
    private boolean retryScheduled;
    private Throwable lastFailure;

    BlockingPool(ClientConductor conductor) {
        StoreClientOptions options = conductor.options;
        this.conductor = conductor;
        this.url = options.url();
        this.maxConnections = options.maxBlockingConnections();
        this.attemptTimeoutNs = conductor.opener.attemptTimeoutNs();
        this.backoff = BackoffIdleStrategy.parking(options.connectBackoffMin(), options.connectBackoffMax());
    }

    /** Sends {@code request} on an idle connection, or queues it and opens one when the pool may grow. */
    void route(Request request) {
        StoreConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            if (connection.isOpen()) {
                conductor.proxy.send(connection, request);
                return;
            }
        }
        waiting.add(request);
        maybeOpen();
    }

    /** The wait on {@code connection} was answered: the connection takes the next wait, or goes idle. */
    void onWaitAnswered(StoreConnection connection) {
        assign(connection);
    }

    /** A ready blocking connection closed: a waiting request may need a new one. */
    void onClosed(StoreConnection connection) {
        open--;
        idle.remove(connection);
        maybeOpen();
    }

    private void maybeOpen() {
        if (conductor.isClosed() || retryScheduled) {
            return;
        }
        waiting.removeIf(CompletableFuture::isDone);
        while (connecting < waiting.size() && open < maxConnections) {
            open++;
            connecting++;
            conductor.opener.open(Role.BLOCKING, attemptTimeoutNs).whenComplete(this::onOpened);
        }
    }

    private void onOpened(StoreConnection connection, Throwable failure) {
        connecting--;
        if (conductor.isClosed()) {
            if (connection != null) {
                connection.close(StoreErrors.closed("connect", url));
            }
            return;
        }
        if (failure != null) {
            open--;
            Throwable cause = StoreErrors.unwrap(failure);
            lastFailure = cause;
            if (StoreErrors.isFatal(cause)) {
                Request.failAll(waiting, r -> StoreErrors.notSent(r, url, cause));
            }
            if (!waiting.isEmpty() && !retryScheduled) {
                retryScheduled = true;
                conductor.threads.loop().schedule(() -> {
                    retryScheduled = false;
                    maybeOpen();
                }, backoff.nextPauseNs(), NANOSECONDS);
            }
            return;
        }
        backoff.reset();
        lastFailure = null;
        assign(connection);
    }

    /** Gives a free connection the next waiting request, or keeps it idle. */
    private void assign(StoreConnection connection) {
        Request request;
        while ((request = waiting.pollFirst()) != null) {
            if (!request.isDone()) {
                conductor.proxy.send(connection, request);
                return;
            }
        }
        if (idle.size() >= MAX_IDLE) {
            connection.close(null);
        } else {
            idle.addFirst(connection);
        }
    }

    @Override
    public ArrayDeque<Request> parked() {
        return waiting;
    }

    @Override
    public String notSentReason(long now) {
        return "not sent: no free blocking connection (" + open + " of " + maxConnections + " open"
                + (lastFailure == null ? "" : "; last connect failure: " + lastFailure.getMessage()) + ")";
    }

    /** Fails the waiting requests (the client is closing; its connections are closed with the others). */
    void close() {
        Request.failAll(waiting, r -> StoreErrors.closed(r.describe(), url));
    }
}
