package io.memfabric.store.client;

import io.memfabric.store.client.StoreConnection.Role;
import io.memfabric.store.protocol.RespMessage;

/**
 * Hands what arrives on the connections to the parts of the client (Aeron's {@code DriverEventsAdapter} role): a
 * reply completes its request, then updates the identity ({@code MF.HELLO}, {@code MF.RANK}), the watches
 * ({@code MF.WATCH}) or the blocking pool (a wait answered frees its connection); a push goes to the watch registry;
 * a closed connection fails its requests in flight and tells the link or pool it belonged to.
 *
 * <p>Thread safety: event loop only (Netty calls it from the connections' handlers).
 */
final class ReplyAdapter implements StoreConnection.Listener {
    private final ClientConductor conductor;

    ReplyAdapter(ClientConductor conductor) {
        this.conductor = conductor;
    }

    @Override
    public void onReply(StoreConnection connection, Request request, RespMessage reply) {
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
