package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's number parser: redis-server's {@code string2ll} for arguments, {@code -?[0-9]+} on the wire. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RespNumberParserTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void acceptsOnlyCanonicalIntegers() {
        RespNumberParser parser = RespNumberParser.forArguments();
        for (String ok : new String[] {"0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808"}) {
            assertTrue(parser.parse(b(ok)), ok);
            assertEquals(Long.parseLong(ok), parser.value(), ok);
        }
        for (String bad : new String[] {"", "-", "+1", " 1", "1 ", "01", "-0", "00", "1.0", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999", "0x10", "1e3", "−1"}) {
            assertFalse(parser.parse(b(bad)), bad);
        }
    }

    @Test
    void protocolLinesTakeLeadingZerosAndRefuseTheRest() {
        RespNumberParser parser = RespNumberParser.forProtocol();
        assertEquals(7, parse(parser, "007\r\n"));
        assertEquals(0, parse(parser, "-0\r\n"));
        assertEquals(Long.MIN_VALUE, parse(parser, "-9223372036854775808\r\n"));
        assertEquals("Protocol error: invalid bulk length (overflow)",
                assertThrows(ProtocolException.class, () -> parse(parser, "9223372036854775808\r\n")).getMessage());
        assertEquals("Protocol error: invalid bulk length",
                assertThrows(ProtocolException.class, () -> parse(parser, "-\r\n")).getMessage());
        assertEquals("Protocol error: invalid bulk length (line not terminated by CRLF)",
                assertThrows(ProtocolException.class, () -> parse(parser, "12\n")).getMessage());
    }

    private static long parse(RespNumberParser parser, String line) {
        ByteBuf in = Unpooled.copiedBuffer(line, StandardCharsets.US_ASCII);
        try {
            return parser.parseLine(in, 0, in.writerIndex() - 1, "invalid bulk length");
        } finally {
            in.release();
        }
    }
}
