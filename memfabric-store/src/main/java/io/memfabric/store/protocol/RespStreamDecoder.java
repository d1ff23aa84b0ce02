package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * What both RESP decoders do with a stream: emit every message that is complete, and after a malformed one emit a
 * single {@link ProtocolException} and discard everything that follows (RESP has no resynchronisation point, so the
 * handler answers or reports the error and closes the connection). A subclass decodes one message at a time.
 *
 * <p>Thread safety: one instance per channel.
 */
abstract sealed class RespStreamDecoder extends ByteToMessageDecoder permits RespCommandDecoder, RespReplyDecoder {
    private boolean failed;

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            Object message;
            while ((message = next(in)) != null) {
                out.add(message);
                if (oneAtATime()) {
                    // Netty's loop hands the message to the handler before it calls decode again, so the handler's
                    // answer (e.g. a successful AUTH) takes effect before the next message is decoded.
                    break;
                }
            }
        } catch (ProtocolException e) {
            failed = true;
            dropPartial();
            in.skipBytes(in.readableBytes());
            out.add(e);
        }
    }

    /**
     * @return the next complete message, or {@code null} when more bytes are needed
     * @throws ProtocolException on a malformed or oversized message
     */
    abstract Object next(ByteBuf in);

    /** Drops what is kept of a message decoded halfway. */
    abstract void dropPartial();

    /** @return whether to emit one message per {@code decode} call (the handler acts on it before the next). */
    boolean oneAtATime() {
        return false;
    }
}
