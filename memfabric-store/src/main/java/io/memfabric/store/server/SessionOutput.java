package io.memfabric.store.server;

import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * One connection's output on its way to the socket. Replies are built in one heap buffer (many small writes: plain
 * array stores on the heap, but bounds-checked {@code ByteBuffer} calls on a direct buffer, as Netty uses no Unsafe on
 * Java 25), which the session hands to the transport once it holds {@link #WRITE_THRESHOLD_BYTES} or the read batch
 * ends, so pipelined small replies still cost one write system call. A bulk string of {@link #LARGE_BULK_BYTES} or
 * more goes into a direct buffer of its own instead: its bytes are copied once, from the keyspace to the memory the
 * socket sends from, and never grow the heap buffer (the transport would copy a heap buffer into a direct one again).
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class SessionOutput {
    /** Buffered reply bytes at which they are handed to the transport, without waiting for the read batch to end. */
    static final int WRITE_THRESHOLD_BYTES = 64 << 10;
    /** Bulk strings at least this long are written from a direct buffer of their own. */
    static final int LARGE_BULK_BYTES = 64 << 10;
    private static final int INITIAL_BYTES = 256;

    private final ChannelHandlerContext ctx;
    private ByteBuf buffer;

    SessionOutput(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** @return the heap buffer replies are built in (allocated on first use). */
    ByteBuf buffer() {
        if (buffer == null) {
            buffer = ctx.alloc().heapBuffer(INITIAL_BYTES);
        }
        return buffer;
    }

    /**
     * Writes the bulk string {@code bytes[offset, offset+length)}: into the heap buffer, or, when large, as the heap
     * buffer followed by a direct buffer of its own, both handed to the transport (not flushed).
     *
     * @return whether it handed anything to the transport (the caller flushes)
     */
    boolean bulk(byte[] bytes, int offset, int length) {
        if (length < LARGE_BULK_BYTES) {
            RespWriter.bulk(buffer(), bytes, offset, length);
            return false;
        }
        RespWriter.bulkHeader(buffer(), length);
        writeBuffered();
        ByteBuf body = ctx.alloc().directBuffer(length + 2);
        body.writeBytes(bytes, offset, length);
        RespWriter.crlf(body);
        ctx.write(body, ctx.voidPromise());
        return true;
    }

    /** @return the bytes built and not yet handed to the transport. */
    int bufferedBytes() {
        return buffer == null ? 0 : buffer.readableBytes();
    }

    /** Hands the built bytes to the transport, unflushed; @return whether there were any. */
    boolean writeBuffered() {
        if (buffer == null || !buffer.isReadable()) {
            return false;
        }
        ByteBuf built = buffer;
        buffer = null;
        ctx.write(built, ctx.voidPromise());
        return true;
    }

    /** @return every byte written for this connection and not yet sent: built, and in the transport's buffer. */
    long pendingBytes() {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return bufferedBytes() + (outbound == null ? 0 : outbound.totalPendingWriteBytes());
    }

    /** Drops what was built and not handed over (the connection closed). */
    void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
