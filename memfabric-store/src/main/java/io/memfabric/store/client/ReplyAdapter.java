package io.memfabric.store.client;

import io.memfabric.store.client.StoreConnection.Role;
import io.memfabric.store.protocol.RespMessage;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hands what arrives on the connections to the parts of the client (Aeron's {@code DriverEventsAdapter} role): a
 * reply completes its request, then updates the identity ({@code MF.HELLO}, {@code MF.RANK}), the watches
 * ({@code MF.WATCH}) or the blocking pool (a wait answered frees its connection); a push goes to the watch registry;
 * a closed connection fails its requests in flight and tells the link or pool it belonged to. An {@code MF.RANK}
 * answered {@code -TRYAGAIN} (a store in its rank reclaim window) is sent again when the server says, within its
 * deadline.
 *
 * <p>Thread safety: event loop only (Netty calls it from the connections' handlers).
 */
final class ReplyAdapter implements StoreConnection.Listener {
    /** The kind word of a server that asks for the request again later ({@code MF.RANK} in a reclaim window). */
    static final String TRY_AGAIN = "TRYAGAIN ";
    /** How long to wait when a {@code TRYAGAIN} names no time. */
    private static final long DEFAULT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Pattern RETRY_IN = Pattern.compile("retry in (\\d{1,9}) ms");

    private final ClientConductor conductor;

    ReplyAdapter(ClientConductor conductor) {
        this.conductor = conductor;
    }

    @Override
    public void onReply(StoreConnection connection, Request request, RespMessage reply) {
        if (request.op == Op.RANK && reply instanceof RespMessage.Error error && error.text().startsWith(TRY_AGAIN)) {
            conductor.retryLater(request, error.text(), retryAfterNs(error.text()));
            return;
        }
        request.onReply(reply, conductor.url);
        switch (request.op) {
            case HELLO -> conductor.identity.onHelloReply(request);
            case RANK -> conductor.identity.onRankReply(request);
            case WATCH -> conductor.watches.onWatchReply(connection, request, reply);
            default -> {
            }
        }
        if (connection.role == Role.BLOCKING && request.op == Op.WAIT && connection.ready
                && connection.pending.isEmpty()) {
            conductor.blocking.onWaitAnswered(connection);
        }
    }

    /** @return the wait a {@code TRYAGAIN ... retry in <ms> ms} asks for, nanoseconds. */
    static long retryAfterNs(String text) {
        Matcher m = RETRY_IN.matcher(text);
        return m.find() ? TimeUnit.MILLISECONDS.toNanos(Long.parseLong(m.group(1))) : DEFAULT_RETRY_NS;
    }

    @Override
    public void onPush(StoreConnection connection, RespMessage.Array push) {
        conductor.watches.onPush(push);
    }

    @Override
    public void onClosed(StoreConnection connection) {
        conductor.opener.forget(connection);
        Throwable cause = connection.failure;
        boolean closed = conductor.isClosed();
        for (Request request : connection.pending) {
            if (!request.isDone()) {
                request.completeExceptionally(closed ? StoreErrors.closed(request.describe(), conductor.url)
                        : StoreErrors.connectionLost(request, conductor.url, cause));
            }
        }
        connection.pending.clear();
        if (!connection.ready) {
            return; // its handshake fails, and whoever opened it decides
        }
        switch (connection.role) {
            case BLOCKING -> conductor.blocking.onClosed(connection);
            case MAIN -> conductor.main.onClosed(connection, cause);
            case PUSH -> conductor.push.onClosed(connection, cause);
        }
    }
}
