package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the decoder fuzz tests share: feeding bytes to a decoder in random pieces, and decoding them whole as the
 * reference the pieces must agree with. A message is rendered as text; a failure as {@code "!" + its message}.
 */
public final class DecoderFuzzing {
    private DecoderFuzzing() {
    }

    /**
     * Feeds {@code input} to {@code decoder} on an {@link EmbeddedChannel} in random pieces (all heap or all direct
     * buffers) and checks the shape of what comes out: messages, then at most one {@link ProtocolException} in
     * redis-server's wording, nothing after it, and nothing left after {@code finish}.
     *
     * @param render turns a message into text (and asserts what a message must be)
     * @return what came out, rendered
     */
    public static List<String> decodeInPieces(ChannelHandler decoder, byte[] input, Random r,
                                              Function<Object, String> render) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        boolean direct = r.nextBoolean();
        int at = 0;
        while (at < input.length) {
            int piece = 1 + r.nextInt(Math.min(input.length - at, 1 + r.nextInt(64)));
            channel.writeInbound(direct ? Unpooled.directBuffer(piece).writeBytes(input, at, piece)
                    : Unpooled.wrappedBuffer(input, at, piece));
            at += piece;
        }
        List<String> decoded = new ArrayList<>();
        Object message;
        while ((message = channel.readInbound()) != null) {
            assertFalse(!decoded.isEmpty() && decoded.getLast().startsWith("!"),
                    "nothing may follow a ProtocolException");
            if (message instanceof ProtocolException e) {
                assertTrue(e.getMessage().startsWith("Protocol error: "), e.getMessage());
                decoded.add("!" + e.getMessage());
            } else {
                decoded.add(render.apply(message));
            }
        }
        assertFalse(channel.finish(), "no message may be left after finish");
        return decoded;
    }

    /**
     * Decodes {@code input} given whole to {@code next} (a fresh decoder's parse method) until it needs more bytes or
     * fails: what the decoder fed in pieces must produce.
     */
    public static List<String> decodeWhole(byte[] input, Function<ByteBuf, Object> next,
                                           Function<Object, String> render) {
        ByteBuf all = Unpooled.wrappedBuffer(input);
        List<String> result = new ArrayList<>();
        try {
            Object message;
            while ((message = next.apply(all)) != null) {
                result.add(render.apply(message));
            }
        } catch (ProtocolException e) {
            result.add("!" + e.getMessage());
        } finally {
            all.release();
        }
        return result;
    }
}
