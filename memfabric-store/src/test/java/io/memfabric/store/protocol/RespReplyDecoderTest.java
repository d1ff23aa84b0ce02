package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The reply decoder (client side) over values the server sends. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RespReplyDecoderTest {
    private static RespMessage parse(String text) {
        ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        try {
            return new RespReplyDecoder(RespLimits.forReplies(1024)).parseReply(in);
        } finally {
            in.release();
        }
    }

    @Test
    void parsesTheWholeLongRangeOfIntegers() {
        assertEquals(new RespMessage.Integer(Long.MIN_VALUE), parse(":-9223372036854775808\r\n"));
        assertEquals(new RespMessage.Integer(Long.MAX_VALUE), parse(":9223372036854775807\r\n"));
        assertEquals(new RespMessage.Integer(0), parse(":0\r\n"));
        assertThrows(ProtocolException.class, () -> parse(":9223372036854775808\r\n"));
        assertThrows(ProtocolException.class, () -> parse(":-9223372036854775809\r\n"));
    }

    @Test
    void parsesPushesAndCasReplies() {
        assertEquals("*[$8:mf:watch, :7, $2:v1]", parse("*3\r\n$8\r\nmf:watch\r\n:7\r\n$2\r\nv1\r\n").toString());
        assertEquals("*[:0, $-1]", parse("*2\r\n:0\r\n$-1\r\n").toString());
        assertEquals("-STORE_TIMEOUT MF.WAIT key=k after 5 ms", parse("-STORE_TIMEOUT MF.WAIT key=k after 5 ms\r\n")
                .toString());
    }
}
