package io.memfabric.store.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Any valid command, encoded and split at arbitrary points, decodes to the same command. (jqwik bounds a property by
 * its tries; JUnit's {@code @Timeout} does not apply to it.)
 */
class RespCommandDecoderPropertyTest {
    private static final RespLimits LIMITS = RespLimits.forCommands(1 << 20, 64);

    @Provide
    Arbitrary<List<byte[]>> commands() {
        Arbitrary<byte[]> argument = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return argument.list().ofMinSize(1).ofMaxSize(20);
    }

    @Property(tries = 300)
    void anyCommandSplitAnywhereDecodesToItself(@ForAll("commands") List<byte[]> args,
                                                @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 100_000)
                                                        Integer> cuts,
                                                @ForAll boolean direct) {
        byte[] encoded = encode(List.of(args));
        List<RespCommand> decoded = decodeInPieces(encoded, cuts, direct);
        assertEquals(1, decoded.size());
        assertSame(args, decoded.get(0));
    }

    @Property(tries = 150)
    void pipelinedCommandsSplitAnywhereDecodeInOrder(@ForAll @Size(min = 1, max = 8) List<@Size(min = 1, max = 6)
                                                             List<@Size(max = 40) byte[]>> commands,
                                                     @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 100_000)
                                                             Integer> cuts,
                                                     @ForAll boolean direct) {
        byte[] encoded = encode(commands);
        List<RespCommand> decoded = decodeInPieces(encoded, cuts, direct);
        assertEquals(commands.size(), decoded.size());
        for (int i = 0; i < commands.size(); i++) {
            assertSame(commands.get(i), decoded.get(i));
        }
    }

    private static void assertSame(List<byte[]> expected, RespCommand actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.arg(i), "argument " + i);
        }
    }

    private static byte[] encode(List<List<byte[]>> commands) {
        ByteBuf buf = Unpooled.buffer();
        try {
            for (List<byte[]> command : commands) {
                RespWriter.command(buf, command);
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /**
     * Feeds {@code encoded} cut at {@code cuts}, as heap or direct buffers, so that elements straddle reads.
     */
    private static List<RespCommand> decodeInPieces(byte[] encoded, List<Integer> cuts, boolean direct) {
        TreeSet<Integer> points = new TreeSet<>();
        for (int cut : cuts) {
            points.add(cut % (encoded.length + 1));
        }
        points.add(encoded.length);
        EmbeddedChannel channel = new EmbeddedChannel(new RespCommandDecoder(LIMITS));
        int from = 0;
        for (int to : points) {
            if (to > from) {
                ByteBuf piece = direct ? Unpooled.directBuffer(to - from).writeBytes(encoded, from, to - from)
                        : Unpooled.wrappedBuffer(encoded, from, to - from);
                channel.writeInbound(piece);
                from = to;
            }
        }
        List<RespCommand> decoded = new ArrayList<>();
        Object message;
        while ((message = channel.readInbound()) != null) {
            decoded.add(assertInstanceOf(RespCommand.class, message));
        }
        assertFalse(channel.finish());
        return decoded;
    }
}
