package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Counters store their values as decimal text. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CounterCommandsTest {
    @Test
    void writesDecimalsIntoAnArray() {
        byte[] buffer = new byte[20];
        for (long v : new long[] {0, 7, -7, 10, 123456789, Long.MAX_VALUE, Long.MIN_VALUE}) {
            int n = CounterCommands.writeDecimal(buffer, v);
            assertEquals(Long.toString(v), new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
    }
}
