package io.memfabric.store.server;

import io.memfabric.error.ProtocolException;
import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespCommandDecoder;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
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
 * <p>Replies go into a {@link SessionOutput}, which is flushed at the end of each read batch, or as soon as it holds
 * {@link SessionOutput#WRITE_THRESHOLD_BYTES}, so that pipelined commands cost one write system call and large
 * replies never pile up. Output caused by another connection (a released wait, a watch, a published message) is
 * flushed at once unless this connection is itself in a read batch. Every flush is checked against the
 * {@link OutputLimits}.
 *
 * <p>Commands run in order, one at a time, and only while the socket is writable: while an {@code MF.WAIT} (or
 * another {@link Block}) holds the connection, or while the socket's outbound buffer is above its high-water mark
 * (the client does not read), later commands are queued, as redis-server does for {@code BLPOP}, so replies stay in
 * order and a client that never reads cannot make the server build replies for it. Reading stops (back pressure)
 * while the socket is not writable or the queue is long.
 *
 * <p>Thread safety: not thread safe; every method runs on the server's event loop.
 */
final class ClientSession extends ChannelInboundHandlerAdapter {
    /** What holds a connection's later commands back until it ends ({@link #unblock}). */
    interface Block {
        /** The connection closed while blocked: forget it (cancel its timer, leave its queue). */
        void cancel();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    /** Commands queued behind a block or an unwritable socket before reading pauses. */
    private static final int MAX_QUEUED_COMMANDS = 1024;

    private final StoreEngine engine;
    private final long id;
    private ChannelHandlerContext ctx;
    private SessionOutput output;
    private boolean reading;
    private boolean closeAfterFlush;
    private boolean rejected;
    private boolean active;
    private boolean authenticated;

    private Block blockedOn;
    private ArrayDeque<Object> queued;
    private boolean resumeScheduled;
    private long overSoftLimitSinceNs;
    private long acceptedNanos;

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
        this.output = new SessionOutput(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        active = true;
        lastActivityNanos = System.nanoTime();
        acceptedNanos = lastActivityNanos;
        engine.connected(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (msg instanceof RespCommand command) {
            if (!active || closeAfterFlush || rejected) {
                return;
            }
            if (mustQueue()) {
                enqueue(command);
            } else {
                engine.execute(this, command);
                afterCommand();
            }
        } else if (msg instanceof ProtocolException error) {
            if (rejected || closeAfterFlush) {
                return;
            }
            if (mustQueue()) {
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
        if (ctx.channel().isWritable()) {
            scheduleResume();
        }
        updateAutoRead();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        active = false;
        output.release();
        queued = null;
        engine.disconnected(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause instanceof DecoderException ? cause.getCause() : cause;
        if (tls instanceof SSLException || tls instanceof NotSslRecordException) {
            engine.log().warn("TLS failure", "store client {}: TLS failed ({}); closing", remoteAddress(),
                    tls.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("store client {} connection error: {}", remoteAddress(), cause.toString());
        } else {
            engine.log().warn("client failure", "store client {} failed; closing", remoteAddress(), cause);
        }
        ctx.close();
    }

    // ------------------------------------------------------------------------------------------------ output

    /** @return the buffer replies and pushes go into; flushed at the end of the read batch or by {@link #flush}. */
    ByteBuf out() {
        return output.buffer();
    }

    /**
     * Writes a bulk string: into {@link #out()}, or, when it is large, straight to the transport from a buffer of its
     * own, flushed at once.
     */
    void bulk(byte[] bytes, int offset, int length) {
        if (output.bulk(bytes, offset, length)) {
            flushWritten();
        }
    }

    /** Writes and flushes pending output now (and closes afterwards if asked to). */
    void flush() {
        if (rejected) {
            return;
        }
        output.writeBuffered();
        if (closeAfterFlush) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            flushWritten();
        }
    }

    /** Flushes what was handed to the transport, checks the output limits and pauses reading if it must. */
    private void flushWritten() {
        ctx.flush();
        if (engine.outputLimits().check(this) && !ctx.channel().isWritable()) {
            updateAutoRead();
        }
    }

    /** After each command: hands its replies over once enough are built, so that they never pile up. */
    private void afterCommand() {
        if (output.bufferedBytes() >= SessionOutput.WRITE_THRESHOLD_BYTES) {
            flush();
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

    /** Answers a malformed frame with redis-server's wording, logs it (rate-limited), and closes the connection. */
    void protocolError(ProtocolException error) {
        engine.log().warn("malformed frame", "store client {} sent a malformed or oversized frame: {}; closing the "
                + "connection", remoteAddress(), error.getMessage());
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
        return output.pendingBytes();
    }

    /** @return when the output went above the soft limit ({@link OutputLimits}), or 0. */
    long overSoftLimitSinceNs() {
        return overSoftLimitSinceNs;
    }

    void overSoftLimitSinceNs(long nanos) {
        overSoftLimitSinceNs = nanos;
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

    /** Blocks the connection on {@code block}: later commands queue until {@link #unblock}. */
    void block(Block block) {
        blockedOn = block;
    }

    /**
     * Answers {@code reply} after {@code delayNs} without holding up the event loop: the connection is blocked (its
     * later commands queue) until then.
     */
    void answerLater(byte[] reply, long delayNs) {
        DelayedReply delayed = new DelayedReply(this, reply);
        block(delayed);
        delayed.schedule(ctx.executor(), delayNs);
    }

    /** @return what this connection is blocked on, or null. */
    Block blockedOn() {
        return blockedOn;
    }

    /** Ends the block; queued commands run in a later event-loop task, in order. */
    void unblock() {
        blockedOn = null;
        scheduleResume();
    }

    /** @return whether a command that arrives now must wait behind a block, the queue or an unwritable socket. */
    private boolean mustQueue() {
        return blockedOn != null || (queued != null && !queued.isEmpty()) || !ctx.channel().isWritable();
    }

    private void scheduleResume() {
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
        while (blockedOn == null && active && !closeAfterFlush && queued != null && !queued.isEmpty()
                && ctx.channel().isWritable()) {
            Object message = queued.poll();
            if (message instanceof RespCommand command) {
                engine.execute(this, command);
                afterCommand();
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

    /** Marks the connection authenticated: the decoder applies the full limits from the next command on. */
    void markAuthenticated() {
        authenticated = true;
        RespCommandDecoder decoder = ctx.pipeline().get(RespCommandDecoder.class);
        if (decoder != null) {
            decoder.authenticated();
        }
    }

    /** @return when the connection was accepted, {@link System#nanoTime()} clock. */
    long acceptedNanos() {
        return acceptedNanos;
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
