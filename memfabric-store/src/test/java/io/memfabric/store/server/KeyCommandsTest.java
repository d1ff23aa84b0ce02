package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code SCAN} cursors follow redis-server's {@code strtoul} rules. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyCommandsTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void parsesCursorsLikeStrtoul() {
        assertEquals(0, KeyCommands.parseCursor(b("0")));
        assertEquals(0, KeyCommands.parseCursor(b("")));
        assertEquals(17, KeyCommands.parseCursor(b("017")));
        assertEquals(5, KeyCommands.parseCursor(b("+5")));
        assertEquals(KeyCommands.CURSOR_END, KeyCommands.parseCursor(b("-1")));
        assertEquals(KeyCommands.CURSOR_END, KeyCommands.parseCursor(b("18446744073709551615")));
        assertEquals(KeyCommands.INVALID_CURSOR, KeyCommands.parseCursor(b("18446744073709551616")));
        assertEquals(KeyCommands.INVALID_CURSOR, KeyCommands.parseCursor(b(" 1")));
        assertEquals(KeyCommands.INVALID_CURSOR, KeyCommands.parseCursor(b("1x")));
        assertEquals(KeyCommands.INVALID_CURSOR, KeyCommands.parseCursor(b("-")));
    }
}
