package io.memfabric.store.client;

import io.memfabric.common.idle.BackoffIdleStrategy;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreConnection.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * The main or the push connection across reconnects: {@code IDLE → CONNECTING → READY}, and on a failure
 * {@code BACKOFF} before the next attempt, with a pause that doubles from {@code connectBackoffMin} to
 * {@code connectBackoffMax} ({@link BackoffIdleStrategy#parking}: its {@code nextPauseNs} is the reconnect delay,
 * {@code reset} on success). While it is not ready, requests park here, each within its deadline, and go out in one
 * batch when it is. A fatal failure (wrong secret, refused TLS, not RESP) fails the parked requests at once but keeps
 * trying: the store may come back configured differently.
 *
 * <p>The main link's first connect has a total deadline ({@link #connectFirst}): no attempt outlives it, and a fatal
 * failure ends it at once.
 *
 * <p>Thread safety: event loop only.
 */
final class ReconnectingLink implements DeadlineSweeper.Parked {
    /** Heartbeat periods without a reply (while one is due) after which a connection is considered dead. */
    static final int MISSED_PERIODS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingLink.class);

    /** What the link tells the conductor, and asks it. */
    interface Listener {
        /** The link is ready; {@code reconnect} when it had been ready before. */
        void onReady(ReconnectingLink link, boolean reconnect);

        /** The link's connection was lost (it reconnects unless nothing needs it). */
        void onLost(ReconnectingLink link);

        /** @return whether the link must reconnect although no request is parked on it. */
        boolean isNeeded(ReconnectingLink link);
    }

    private enum State { IDLE, CONNECTING, READY, BACKOFF, CLOSED }

    final Role role;
    private final ClientConductor conductor;
    private final Listener listener;
    private final StoreUrl url;
    private final long attemptTimeoutNs;
    private final BackoffIdleStrategy backoff;
    private final ArrayDeque<Request> parked = new ArrayDeque<>();
    private State state = State.IDLE;
    private StoreConnection connection;
    private int attempts;
    private Throwable lastFailure;
    private boolean everReady;
    private long downSinceNs;
    private ScheduledFuture<?> retry;
    /** The first connect of the main link: completed when it is ready or has failed for good; null on push. */
    private CompletableFuture<Void> firstConnect;
    private long firstConnectDeadlineNs;

    ReconnectingLink(Role role, ClientConductor conductor, Listener listener) {
        StoreClientOptions options = conductor.options;
        this.role = role;
        this.conductor = conductor;
        this.listener = listener;
        this.url = options.url();
        this.attemptTimeoutNs = conductor.opener.attemptTimeoutNs();
        this.backoff = BackoffIdleStrategy.parking(options.connectBackoffMin(), options.connectBackoffMax());
    }

    /** @return whether requests go out at once. */
    boolean isReady() {
        return state == State.READY;
    }

    /** @return the connection when the link is ready, else null. */
    StoreConnection readyConnection() {
        return state == State.READY ? connection : null;
    }

    /** @return whether {@code c} is this link's current connection. */
    boolean isCurrent(StoreConnection c) {
        return connection == c;
    }

    /** Sends {@code request} in the current flush's batch, or parks it until the link is ready. */
    void route(Request request) {
        if (state == State.READY) {
            conductor.proxy.batch(connection, request);
            return;
        }
        parked.add(request);
        if (state == State.IDLE) {
            connect();
        }
    }

    /**
     * Starts the first connect, which must succeed by {@code deadlineNs}.
     *
     * @return completes when the link is ready, or exceptionally when the deadline passed or a failure is fatal
     */
    CompletableFuture<Void> connectFirst(long deadlineNs) {
        firstConnect = new CompletableFuture<>();
        firstConnectDeadlineNs = deadlineNs;
        connect();
        return firstConnect;
    }

    /** Starts connecting unless the link is connecting, ready or waiting to retry. */
    void connectIfIdle() {
        if (state == State.IDLE) {
            connect();
        }
    }

    private boolean inFirstConnect() {
        return firstConnect != null && !everReady;
    }

    private void connect() {
        if (conductor.isClosed()) {
            state = State.CLOSED;
            return;
        }
        state = State.CONNECTING;
        retry = null;
        attempts++;
        long attemptNs = attemptTimeoutNs;
        if (inFirstConnect()) {
            // The first connect has a total deadline: no attempt may outlive it.
            attemptNs = Math.clamp(firstConnectDeadlineNs - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1),
                    attemptTimeoutNs);
        }
        conductor.opener.open(role, attemptNs).whenComplete(this::onOpened);
    }

    private void onOpened(StoreConnection opened, Throwable failure) {
        if (conductor.isClosed()) {
            state = State.CLOSED;
            if (opened != null) {
                opened.close(StoreErrors.closed("connect", url));
            }
            return;
        }
        if (failure != null) {
            onFailed(StoreErrors.unwrap(failure));
            return;
        }
        boolean reconnect = everReady;
        if (reconnect || attempts > 1) {
            LOG.info("store {} connection to {} established after {} attempt(s)", role, url, attempts);
        }
        connection = opened;
        state = State.READY;
        everReady = true;
        backoff.reset();
        attempts = 0;
        lastFailure = null;
        if (!parked.isEmpty()) {
            conductor.proxy.sendAll(opened, parked);
            parked.clear();
        }
        if (firstConnect != null && !reconnect) {
            firstConnect.complete(null);
        }
        listener.onReady(this, reconnect);
    }

    private void onFailed(Throwable cause) {
        lastFailure = cause;
        connection = null;
        long now = System.nanoTime();
        long delayNs = -1;
        boolean fatal = StoreErrors.isFatal(cause);
        if (inFirstConnect()) {
            if (fatal) {
                state = State.IDLE;
                firstConnect.completeExceptionally(cause);
                return;
            }
            delayNs = backoff.nextPauseNs();
            if (now + delayNs - firstConnectDeadlineNs >= 0) {
                state = State.IDLE;
                firstConnect.completeExceptionally(new StoreException(ErrorCode.STORE_IO_ERROR, "connect to " + url
                        + " failed: " + attempts + " attempt(s) in "
                        + conductor.options.connectTimeout().toMillis() + " ms, last: " + cause.getMessage(), cause));
                return;
            }
        }
        if (fatal) {
            LOG.error("store {} connection to {} failed: {}", role, url, cause.getMessage());
            Request.failAll(parked, r -> StoreErrors.notSent(r, url, cause));
        } else if (attempts == 1) {
            LOG.warn("store {} connection to {} failed: {}; retrying", role, url, cause.getMessage());
        } else {
            LOG.debug("store {} connection to {} failed (attempt {}): {}", role, url, attempts, cause.getMessage());
        }
        if (parked.isEmpty() && !listener.isNeeded(this)) {
            state = State.IDLE;
            return;
        }
        state = State.BACKOFF;
        if (delayNs < 0) {
            delayNs = backoff.nextPauseNs();
        }
        retry = conductor.threads.loop().schedule(this::connect, delayNs, NANOSECONDS);
    }

    /** The ready connection {@code lost} closed: reconnects when something needs the link. */
    void onClosed(StoreConnection lost, Throwable cause) {
        if (connection != lost) {
            return;
        }
        connection = null;
        if (conductor.isClosed()) {
            state = State.CLOSED;
            return;
        }
        state = State.IDLE;
        downSinceNs = System.nanoTime();
        listener.onLost(this);
        LOG.warn("store {} connection to {} lost{}; reconnecting", role, url,
                cause == null ? "" : " (" + cause.getMessage() + ")");
        if (!parked.isEmpty() || listener.isNeeded(this)) {
            connect();
        }
    }

    /**
     * Resets a connection that stays silent for {@value #MISSED_PERIODS} heartbeat periods while a reply is due, and
     * sends a {@code PING} when nothing was written for half a period, so that the server sees the client alive.
     */
    void heartbeat(long now, long heartbeatNs) {
        if (state != State.READY) {
            return;
        }
        long silenceNs = MISSED_PERIODS * heartbeatNs;
        Request oldest = connection.pending.peek();
        if (oldest != null && now - oldest.writtenAtNs > silenceNs && now - connection.lastReadNs > silenceNs) {
            StoreException e = new StoreException(ErrorCode.STORE_IO_ERROR, "no reply from " + url + " for "
                    + NANOSECONDS.toMillis(now - oldest.writtenAtNs) + " ms on the " + role
                    + " connection (oldest: " + oldest.describe() + "): connection reset");
            LOG.warn(e.getMessage());
            connection.close(e);
            return;
        }
        if (now - connection.lastWriteNs >= heartbeatNs / 2) {
            conductor.proxy.send(connection, Request.of(Op.PING, conductor.root, null, silenceNs));
        }
    }

    @Override
    public ArrayDeque<Request> parked() {
        return parked;
    }

    @Override
    public String notSentReason(long now) {
        return "not sent: " + role + " connection down" + (downSinceNs == 0 ? ""
                : " for " + NANOSECONDS.toMillis(now - downSinceNs) + " ms") + ", attempt " + attempts
                + (lastFailure == null ? "" : ", last failure: " + lastFailure.getMessage());
    }

    /** Stops reconnecting and fails the parked requests (the client is closing). */
    void close() {
        if (retry != null) {
            retry.cancel(false);
        }
        state = State.CLOSED;
        Request.failAll(parked, r -> StoreErrors.closed(r.describe(), url));
        if (firstConnect != null) {
            firstConnect.completeExceptionally(StoreErrors.closed("connect", url));
        }
    }
}
