package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Netty decoder of commands (server side): emits {@link RespCommand}s. After a malformed frame it emits one
 * {@link ProtocolException} through the pipeline and discards everything that follows; the handler answers the error
 * and closes the connection.
 *
 * <p>Thread safety: one instance per channel.
 */
public final class RespCommandDecoder extends ByteToMessageDecoder {
    private final RespParser parser;
    private boolean failed;

    /** @param limits what a command may hold */
    public RespCommandDecoder(RespLimits limits) {
        this.parser = RespParser.forCommands(limits);
    }

    /** A decoder whose parser copies at most {@code windowBytes} at a time (tests exercise window edges). */
    RespCommandDecoder(RespLimits limits, int windowBytes) {
        this.parser = RespParser.forCommands(limits, windowBytes);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            parser.parseCommands(in, out);
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            out.add(e);
        }
    }
}
