package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** redis-server's {@code string2ll} and {@code strtoul} rules. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisNumbersTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void acceptsOnlyCanonicalIntegers() {
        for (String ok : new String[] {"0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808"}) {
            assertTrue(RedisNumbers.isLong(b(ok)), ok);
            assertEquals(Long.parseLong(ok), RedisNumbers.toLong(b(ok)), ok);
        }
        for (String bad : new String[] {"", "-", "+1", " 1", "1 ", "01", "-0", "00", "1.0", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999", "0x10", "1e3", "−1"}) {
            assertFalse(RedisNumbers.isLong(b(bad)), bad);
        }
    }

    @Test
    void parsesCursorsLikeStrtoul() {
        assertEquals(0, RedisNumbers.parseCursor(b("0")));
        assertEquals(0, RedisNumbers.parseCursor(b("")));
        assertEquals(17, RedisNumbers.parseCursor(b("017")));
        assertEquals(5, RedisNumbers.parseCursor(b("+5")));
        assertEquals(RedisNumbers.CURSOR_END, RedisNumbers.parseCursor(b("-1")));
        assertEquals(RedisNumbers.CURSOR_END, RedisNumbers.parseCursor(b("18446744073709551615")));
        assertEquals(RedisNumbers.INVALID_CURSOR, RedisNumbers.parseCursor(b("18446744073709551616")));
        assertEquals(RedisNumbers.INVALID_CURSOR, RedisNumbers.parseCursor(b(" 1")));
        assertEquals(RedisNumbers.INVALID_CURSOR, RedisNumbers.parseCursor(b("1x")));
        assertEquals(RedisNumbers.INVALID_CURSOR, RedisNumbers.parseCursor(b("-")));
    }

    @Test
    void writesDecimalsIntoAnArray() {
        byte[] buffer = new byte[20];
        for (long v : new long[] {0, 7, -7, 10, 123456789, Long.MAX_VALUE, Long.MIN_VALUE}) {
            int n = CommandExecutor.writeDecimal(buffer, v);
            assertEquals(Long.toString(v), new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
    }
}
