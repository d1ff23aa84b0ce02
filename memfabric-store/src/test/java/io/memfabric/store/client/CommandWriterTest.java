package io.memfabric.store.client;

import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The client's command encoder writes exactly the frames of {@link RespWriter#command}. */
@Timeout(10)
class CommandWriterTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Encodes {@code requests} as one batch on an embedded channel and returns the bytes written. */
    private static byte[] encode(Request... requests) {
        EmbeddedChannel channel = new EmbeddedChannel();
        CommandWriter writer = new CommandWriter();
        writer.begin(channel);
        for (Request request : requests) {
            request.encode(writer);
        }
        writer.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.writeBytes(bytes);
        }
        assertFalse(channel.finish());
        return out.toByteArray();
    }

    private static byte[] expected(byte[]... args) {
        ByteBuf buf = Unpooled.buffer();
        RespWriter.command(buf, args);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    @Test
    void aPrefixedUtf8KeyAndAValueAreWrittenAsBulkStrings() {
        RespStoreClient view = new RespStoreClient(null, "fabric/ü/", false);
        Request set = Request.withValue(Op.SET, view, "ключ", utf8("value"), 0, 1);
        assertArrayEquals(expected(utf8("SET"), utf8("fabric/ü/ключ"), utf8("value")), encode(set));
    }

    @Test
    void aLargeValueIsWrittenWithoutCorruptingTheBatch() {
        RespStoreClient root = new RespStoreClient(null, "", true);
        byte[] large = new byte[CommandWriter.LARGE_VALUE_BYTES * 3 + 7];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 7);
        }
        Request set = Request.withValue(Op.SET, root, "big", large, 0, 1);
        Request get = Request.of(Op.GET, root, "big", 1);
        byte[] both = encode(set, get);
        byte[] first = expected(utf8("SET"), utf8("big"), large);
        byte[] second = expected(utf8("GET"), utf8("big"));
        byte[] joined = new byte[first.length + second.length];
        System.arraycopy(first, 0, joined, 0, first.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        assertArrayEquals(joined, both);
    }

    @Test
    void numbersAndTheRankNamespaceAreWrittenAsDecimalBulkStrings() {
        RespStoreClient view = new RespStoreClient(null, "f1/", false);
        assertArrayEquals(expected(utf8("MF.RANK"), utf8("8"), utf8("-1"), utf8("NS"), utf8("f1/")),
                encode(Request.withNumbers(Op.RANK, view, null, 8, -1, 1)));
        assertArrayEquals(expected(utf8("GETRANGE"), utf8("f1/k"), utf8("-9223372036854775808"),
                        utf8("9223372036854775807")),
                encode(Request.withNumbers(Op.GETRANGE, view, "k", Long.MIN_VALUE, Long.MAX_VALUE, 1)));
        RespStoreClient root = new RespStoreClient(null, "", true);
        assertArrayEquals(expected(utf8("MF.RANK"), utf8("8"), utf8("3")),
                encode(Request.withNumbers(Op.RANK, root, null, 8, 3, 1)));
    }

    @Test
    void keysPatternsEscapeTheGlobCharactersOfThePrefix() {
        RespStoreClient view = new RespStoreClient(null, "a*b?[c]\\/", false);
        assertArrayEquals(expected(utf8("KEYS"), utf8("a\\*b\\?\\[c\\]\\\\/x*")),
                encode(Request.of(Op.KEYS, view, "x*", 1)));
    }
}
