package io.memfabric.store.client;

import io.memfabric.error.ProtocolException;
import io.memfabric.store.StoreFaultPoints;
import io.memfabric.store.protocol.RespMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One socket to the store and the requests written on it, oldest first. Replies arrive in the order the commands were
 * written (RESP2 has no request ids), so each reply completes the oldest pending request. On the push connection,
 * pushes ({@code message} and {@code mf:watch} arrays) interleave with replies; they are recognised by their first
 * element and handed to the {@link Listener} instead.
 *
 * <p>Thread safety: event loop only.
 */
final class StoreConnection extends ChannelInboundHandlerAdapter {
    private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PMESSAGE = "pmessage".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WATCH = "mf:watch".getBytes(StandardCharsets.US_ASCII);

    /** What a connection is used for. */
    enum Role {
        /** Pipelined commands, heartbeats, identity and ranks. */
        MAIN,
        /** Watches and subscriptions: replies interleaved with pushes. */
        PUSH,
        /** One blocking wait at a time. */
        BLOCKING
    }

    /** Receives what arrives on a connection, on the event loop. */
    interface Listener {
        /** {@code reply} answers {@code request}, the oldest request pending on {@code connection}. */
        void onReply(StoreConnection connection, Request request, RespMessage reply);

        /** {@code push} arrived on the push connection. */
        void onPush(StoreConnection connection, RespMessage.Array push);

        /** The connection is closed; its pending requests are still in {@link #pending}. */
        void onClosed(StoreConnection connection);
    }

    final Role role;
    final ArrayDeque<Request> pending = new ArrayDeque<>();
    /** Stamps {@link #lastReadNs} on every read of raw bytes, before the decoder waits for a whole reply. */
    final ChannelInboundHandlerAdapter readStamp = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastReadNs = System.nanoTime();
            ctx.fireChannelRead(msg);
        }
    };
    private final Listener listener;
    Channel channel;
    /** Whether the handshake (AUTH, PING, restore) completed; requests of the handshake come before it. */
    boolean ready;
    long lastReadNs;
    long lastWriteNs;
    /** Why the connection was closed, when the client or the decoder closed it; null for a plain disconnect. */
    Throwable failure;
    private boolean closedNotified;

    StoreConnection(Role role, Listener listener) {
        this.role = role;
        this.listener = listener;
        this.lastReadNs = System.nanoTime();
        this.lastWriteNs = lastReadNs;
    }

    /** Queues {@code request} as written; the caller has encoded it into this connection's batch. */
    void written(Request request, long nowNs) {
        request.writtenAtNs = nowNs;
        lastWriteNs = nowNs;
        pending.add(request);
    }

    /** Closes the connection, recording {@code cause} as the reason (the first reason wins). */
    void close(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        if (channel != null) {
            channel.close();
        }
    }

    /** @return whether the socket is open. */
    boolean isOpen() {
        return channel != null && channel.isActive() && !closedNotified;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ProtocolException e) {
            close(e);
            return;
        }
        if (StoreFaultPoints.CLIENT_RECEIVE.failed()) {
            close(new IOException("fault injected at " + StoreFaultPoints.CLIENT_RECEIVE.name()));
            return;
        }
        RespMessage message = (RespMessage) msg;
        if (role == Role.PUSH && message instanceof RespMessage.Array array && isPush(array)) {
            listener.onPush(this, array);
            return;
        }
        Request request = pending.poll();
        if (request == null) {
            close(new ProtocolException("unexpected reply with no request pending: "
                    + message.getClass().getSimpleName()));
            return;
        }
        listener.onReply(this, request, message);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        notifyClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close(cause);
    }

    /** Tells the listener once that the connection is closed. */
    void notifyClosed() {
        if (!closedNotified) {
            closedNotified = true;
            listener.onClosed(this);
        }
    }

    static boolean isPush(RespMessage.Array array) {
        if (array.isNull() || array.elements().size() < 3
                || !(array.elements().get(0) instanceof RespMessage.Bulk kind) || kind.isNull()) {
            return false;
        }
        byte[] k = kind.bytes();
        return Arrays.equals(k, MESSAGE) || Arrays.equals(k, WATCH) || Arrays.equals(k, PMESSAGE);
    }

    static boolean isWatchPush(RespMessage.Array push) {
        return Arrays.equals(((RespMessage.Bulk) push.elements().get(0)).bytes(), WATCH);
    }

    static boolean isMessagePush(RespMessage.Array push) {
        return Arrays.equals(((RespMessage.Bulk) push.elements().get(0)).bytes(), MESSAGE);
    }

    @Override
    public String toString() {
        return role + " connection " + (channel == null ? "(unconnected)" : channel.toString());
    }
}
