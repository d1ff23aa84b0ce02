package io.memfabric.store.client;

import io.memfabric.store.StoreFaultPoints;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

import java.io.IOException;

/**
 * Encodes a batch of commands for one channel: RESP2 arrays of bulk strings, the frames
 * {@link io.memfabric.store.protocol.RespWriter#command} writes, plus what a client's hot path needs and RespWriter
 * does not give: a prefixed key written straight from its {@code String} (UTF-8 encoded once, into the socket buffer),
 * lengths and numbers written without a {@code String}, and large values handed to the channel without a copy.
 * Commands of one flush share one pooled buffer; {@link #finish()} writes and flushes once.
 *
 * <p>Thread safety: event loop only; one instance is reused for every flush of that loop.
 */
final class CommandWriter {
    /** Values at least this long are written from the caller's array instead of being copied into the batch. */
    static final int LARGE_VALUE_BYTES = 16 * 1024;
    /** A batch buffer this full is handed to the channel before the next command. */
    private static final int BATCH_BYTES = 64 * 1024;
    private static final int INITIAL_BATCH_BYTES = 512;

    private Channel channel;
    private ByteBuf buf;
    private boolean written;

    /** Starts a batch for {@code target}. */
    void begin(Channel target) {
        if (channel != null) {
            throw new IllegalStateException("a batch for " + channel + " is still open");
        }
        this.channel = target;
        this.written = false;
    }

    /** @return whether a batch is open. */
    boolean isOpen() {
        return channel != null;
    }

    /** @return whether a batch is open for {@code target}. */
    boolean isOpenFor(Channel target) {
        return channel == target;
    }

    /** {@code *count\r\n}. */
    void arrayHeader(int count) {
        ByteBuf out = buffer();
        out.writeByte('*');
        RespWriter.writeDecimal(out, count);
        writeCrLf(out);
    }

    /** A bulk string of {@code bytes}; large arrays are not copied. */
    void bulk(byte[] bytes) {
        ByteBuf out = buffer();
        out.writeByte('$');
        RespWriter.writeDecimal(out, bytes.length);
        writeCrLf(out);
        if (bytes.length >= LARGE_VALUE_BYTES) {
            // The caller's array goes to the socket as it is: the caller must not change it until the call returns
            // (StoreClient's contract), which is after the reply, so after the write.
            channel.write(out, channel.voidPromise());
            channel.write(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
            buf = null;
            written = true;
            writeCrLf(buffer());
        } else {
            out.writeBytes(bytes);
            writeCrLf(out);
        }
    }

    /** A bulk string of {@code prefix} followed by {@code key} in UTF-8. */
    void key(byte[] prefix, String key) {
        ByteBuf out = buffer();
        int keyBytes = ByteBufUtil.utf8Bytes(key);
        out.writeByte('$');
        RespWriter.writeDecimal(out, (long) prefix.length + keyBytes);
        writeCrLf(out);
        out.writeBytes(prefix);
        ByteBufUtil.reserveAndWriteUtf8(out, key, keyBytes);
        writeCrLf(out);
    }

    /** A bulk string of the decimal digits of {@code value}. */
    void number(long value) {
        ByteBuf out = buffer();
        out.writeByte('$');
        RespWriter.writeDecimal(out, RespWriter.decimalLength(value));
        writeCrLf(out);
        RespWriter.writeDecimal(out, value);
        writeCrLf(out);
    }

    /** Ends one command: hands a full batch buffer to the channel. */
    void endCommand() {
        if (buf != null && buf.readableBytes() >= BATCH_BYTES) {
            channel.write(buf, channel.voidPromise());
            buf = null;
            written = true;
        }
    }

    /** Writes what is left of the batch and flushes the channel once. */
    void finish() {
        if (channel == null) {
            return;
        }
        boolean any = written || (buf != null && buf.isReadable());
        if (any && StoreFaultPoints.CLIENT_SEND.failed()) {
            // As a write that fails on a broken socket: the connection closes with this cause, and what was handed to
            // the channel unflushed is dropped with it.
            if (buf != null) {
                buf.release();
                buf = null;
            }
            channel.pipeline().fireExceptionCaught(new IOException("fault injected at "
                    + StoreFaultPoints.CLIENT_SEND.name()));
            channel = null;
            return;
        }
        if (buf != null) {
            if (buf.isReadable()) {
                channel.write(buf, channel.voidPromise());
                written = true;
            } else {
                buf.release();
            }
            buf = null;
        }
        if (written) {
            channel.flush();
        }
        channel = null;
    }

    private ByteBuf buffer() {
        if (buf == null) {
            buf = channel.alloc().ioBuffer(INITIAL_BATCH_BYTES);
        }
        return buf;
    }

    private static void writeCrLf(ByteBuf out) {
        out.writeShort(('\r' << 8) | '\n');
    }
}
