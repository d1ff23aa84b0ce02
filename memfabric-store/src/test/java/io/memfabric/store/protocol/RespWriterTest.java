package io.memfabric.store.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The store's one decimal formatter, which replies, the client's commands and the counters all use. */
@Timeout(10)
class RespWriterTest {
    @Test
    void decimalsMatchLongToString() {
        long[] values = {0, 1, 9, 10, 99, 100, -1, -9, -10, 123456789, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (long value : values) {
            ByteBuf buf = Unpooled.buffer();
            RespWriter.writeDecimal(buf, value);
            assertEquals(Long.toString(value), buf.toString(StandardCharsets.US_ASCII));
            assertEquals(Long.toString(value).length(), RespWriter.decimalLength(value));
            buf.release();
        }
    }
}
