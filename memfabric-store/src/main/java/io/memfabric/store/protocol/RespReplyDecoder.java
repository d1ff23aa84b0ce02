package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Netty decoder of replies (client side): emits {@link RespMessage}s. A malformed reply is passed on as one
 * {@link ProtocolException} and the rest of the stream is discarded: the client then fails its pending calls and
 * reconnects, because it can no longer match replies to requests.
 *
 * <p>Thread safety: one instance per channel.
 */
public final class RespReplyDecoder extends ByteToMessageDecoder {
    private final RespParser parser;
    private boolean failed;

    /** @param limits what a reply may hold */
    public RespReplyDecoder(RespLimits limits) {
        this.parser = RespParser.forReplies(limits);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            RespMessage message;
            while ((message = parser.parseReply(in)) != null) {
                out.add(message);
            }
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            out.add(e);
        }
    }
}
