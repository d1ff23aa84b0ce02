package io.memfabric.store.server;

import io.memfabric.error.ProtocolException;
import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;

/**
 * One client's session with the server: the last handler of its connection's pipeline, and the session's state
 * (authentication, a blocked {@code MF.WAIT} and the commands queued behind it, subscriptions, watches, liveness
 * identity, ranks). Named for the session, so that it does not clash with the tcp transport's {@code ClientConnection}.
 *
 * <p>Replies are written into one buffer per read batch and flushed once, in {@link #channelReadComplete}, so that
 * pipelined commands cost one write system call. Output caused by another connection (a released wait, a watch, a
 * published message) is flushed at once unless this connection is itself in a read batch.
 *
 * <p>While an {@code MF.WAIT} blocks, later commands of the connection are queued, as redis-server does for
 * {@code BLPOP}, so replies stay in order. Reading stops (back pressure) when the queue is long or when the socket's
 * outbound buffer is above its high-water mark.
 *
 * <p>Thread safety: not thread safe; every method runs on the server's event loop.
 */
final class ClientSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    /** Commands queued behind a blocked {@code MF.WAIT} before reading pauses. */
    private static final int MAX_QUEUED_COMMANDS = 1024;
    private static final int INITIAL_OUT_BYTES = 256;

    private final StoreEngine engine;
    private final long id;
    private ChannelHandlerContext ctx;
    private ByteBuf out;
    private boolean reading;
    private boolean closeAfterFlush;
    private boolean rejected;
    private boolean active;
    private boolean authenticated;

    private WaitQueues.Waiter blockedOn;
    private ArrayDeque<Object> queued;
    private boolean resumeScheduled;

    private final LinkedHashSet<StoreKey> channels = new LinkedHashSet<>(2);
    private final LinkedHashSet<StoreKey> patterns = new LinkedHashSet<>(2);
    private HashSet<Long> watchIds;

    private String name;
    private int helloRank = -1;
    private long heartbeatPeriodNanos;
    private long lastActivityNanos;
    private boolean down;
    private HashMap<String, Integer> ranks;

    ClientSession(StoreEngine engine, long id, boolean authenticated) {
        this.engine = engine;
        this.id = id;
        this.authenticated = authenticated;
    }

    // ------------------------------------------------------------------------------------------------ Netty events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        active = true;
        lastActivityNanos = System.nanoTime();
        engine.connected(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (msg instanceof RespCommand command) {
            if (!active || closeAfterFlush || rejected) {
                return;
            }
            if (blockedOn != null || (queued != null && !queued.isEmpty())) {
                enqueue(command);
            } else {
                engine.execute(this, command);
            }
        } else if (msg instanceof ProtocolException error) {
            if (rejected || closeAfterFlush) {
                return;
            }
            if (blockedOn != null || (queued != null && !queued.isEmpty())) {
                enqueue(error);
            } else {
                protocolError(error);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActivityNanos = System.nanoTime();
        reading = false;
        flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        active = false;
        if (out != null) {
            out.release();
            out = null;
        }
        queued = null;
        engine.disconnected(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause instanceof DecoderException ? cause.getCause() : cause;
        if (tls instanceof SSLException || tls instanceof NotSslRecordException) {
            LOG.warn("store client {}: TLS failed ({}); closing", remoteAddress(), tls.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("store client {} connection error: {}", remoteAddress(), cause.toString());
        } else {
            LOG.warn("store client {} failed; closing", remoteAddress(), cause);
        }
        ctx.close();
    }

    // ------------------------------------------------------------------------------------------------ output

    /** @return the buffer replies and pushes go into; flushed at the end of the read batch or by {@link #flush}. */
    ByteBuf out() {
        if (out == null) {
            // A heap buffer: replies are built from many small writes, which are plain array stores on the heap but
            // bounds-checked ByteBuffer calls on a direct buffer (Netty uses no Unsafe on Java 25). The transport
            // copies it into a direct buffer once, when it is written.
            out = ctx.alloc().heapBuffer(INITIAL_OUT_BYTES);
        }
        return out;
    }

    /** Writes and flushes pending output now (and closes afterwards if asked to). */
    void flush() {
        if (rejected) {
            return;
        }
        if (out != null) {
            ByteBuf buf = out;
            out = null;
            if (closeAfterFlush) {
                ctx.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(buf, ctx.voidPromise());
                if (!ctx.channel().isWritable()) {
                    updateAutoRead();
                }
            }
        } else if (closeAfterFlush) {
            ctx.close();
        }
    }

    /** Flushes unless a read batch of this connection is in progress (it flushes at its end). */
    void flushIfIdle() {
        if (!reading) {
            flush();
        }
    }

    /** Closes the connection once the output written so far is flushed; later commands are ignored. */
    void closeAfterReply() {
        closeAfterFlush = true;
    }

    /** Answers a malformed frame with redis-server's wording, logs it, and closes the connection. */
    void protocolError(ProtocolException error) {
        LOG.warn("store client {} sent a malformed or oversized frame: {}; closing the connection", remoteAddress(),
                error.getMessage());
        RespWriter.error(out(), "ERR " + error.getMessage());
        closeAfterReply();
        flushIfIdle();
    }

    /**
     * Refuses the connection: answers {@code reply} (after the TLS handshake, if any) and closes it. The connection
     * is never admitted, so it ignores every command it sends meanwhile.
     */
    void reject(byte[] reply) {
        rejected = true;
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(reply)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ssl.handshakeFuture().addListener(done -> {
            if (done.isSuccess() && ctx.channel().isActive()) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(reply)).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
        });
    }

    /**
     * @return the bytes written to this connection and not yet sent: the reply buffer and the transport's outbound
     *         buffer
     */
    long pendingOutputBytes() {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return (out == null ? 0 : out.readableBytes()) + (outbound == null ? 0 : outbound.totalPendingWriteBytes());
    }

    /** Closes the connection now, dropping unsent output. */
    void close() {
        ctx.close();
    }

    private void updateAutoRead() {
        boolean read = ctx.channel().isWritable() && (queued == null || queued.size() < MAX_QUEUED_COMMANDS);
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    // ------------------------------------------------------------------------------------------------ blocking

    /** Blocks the connection on {@code waiter}: later commands queue until {@link #unblock}. */
    void block(WaitQueues.Waiter waiter) {
        blockedOn = waiter;
    }

    /** @return the waiter this connection is blocked on, or null. */
    WaitQueues.Waiter blockedOn() {
        return blockedOn;
    }

    /** Ends the block; queued commands run in a later event-loop task, in order. */
    void unblock() {
        blockedOn = null;
        if (queued != null && !queued.isEmpty() && !resumeScheduled && active) {
            resumeScheduled = true;
            ctx.channel().eventLoop().execute(this::resume);
        }
    }

    private void enqueue(Object message) {
        if (queued == null) {
            queued = new ArrayDeque<>();
        }
        queued.add(message);
        if (queued.size() >= MAX_QUEUED_COMMANDS) {
            updateAutoRead();
        }
    }

    private void resume() {
        resumeScheduled = false;
        while (blockedOn == null && active && !closeAfterFlush && queued != null && !queued.isEmpty()) {
            Object message = queued.poll();
            if (message instanceof RespCommand command) {
                engine.execute(this, command);
            } else {
                protocolError((ProtocolException) message);
            }
        }
        flushIfIdle();
        if (active) {
            updateAutoRead();
        }
    }

    // ------------------------------------------------------------------------------------------------ state

    long id() {
        return id;
    }

    boolean isActive() {
        return active;
    }

    boolean authenticated() {
        return authenticated;
    }

    void authenticated(boolean value) {
        authenticated = value;
    }

    SocketAddress remoteAddress() {
        return ctx == null ? null : ctx.channel().remoteAddress();
    }

    LinkedHashSet<StoreKey> channels() {
        return channels;
    }

    LinkedHashSet<StoreKey> patterns() {
        return patterns;
    }

    /** @return the number of channels and patterns subscribed to; above 0 the connection is in subscribed mode. */
    int subscriptionCount() {
        return channels.size() + patterns.size();
    }

    /** @return the ids of this connection's pending watches (created on first use). */
    HashSet<Long> watchIds() {
        if (watchIds == null) {
            watchIds = new HashSet<>();
        }
        return watchIds;
    }

    /** @return namespace to rank, for the ranks this connection holds (created on first use). */
    HashMap<String, Integer> ranks() {
        if (ranks == null) {
            ranks = new HashMap<>(2);
        }
        return ranks;
    }

    boolean holdsRanks() {
        return ranks != null && !ranks.isEmpty();
    }

    /** @return the name from {@code MF.HELLO}, or null when it sent none. */
    String name() {
        return name;
    }

    /** @return the name events carry: the {@code MF.HELLO} name, or {@code conn-<id>}. */
    String displayName() {
        return name != null ? name : "conn-" + id;
    }

    int helloRank() {
        return helloRank;
    }

    void hello(String name, int rank, long heartbeatPeriodNanos) {
        this.name = name;
        this.helloRank = rank;
        this.heartbeatPeriodNanos = heartbeatPeriodNanos;
    }

    /** @return the heartbeat period announced in {@code MF.HELLO}, or 0 when the connection is not monitored. */
    long heartbeatPeriodNanos() {
        return heartbeatPeriodNanos;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    boolean isDown() {
        return down;
    }

    void markDown() {
        down = true;
    }

    @Override
    public String toString() {
        return "ClientSession{id=" + id + ", remote=" + remoteAddress() + ", name=" + name + "}";
    }
}
