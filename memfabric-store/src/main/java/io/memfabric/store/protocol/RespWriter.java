package io.memfabric.store.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes RESP2 values into a {@link ByteBuf}. Stateless: the caller owns the buffer (typically
 * {@code ctx.alloc().ioBuffer()}), so replies to pipelined commands share one buffer and one flush.
 *
 * <p>Thread safety: stateless.
 */
public final class RespWriter {
    private static final int CRLF_SHORT = ('\r' << 8) | '\n';
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LONG_MIN_DIGITS = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);
    /** Pre-built {@code :n\r\n} for small integers, as Netty's FixedRedisMessagePool does for -1..127. */
    private static final byte[][] SMALL_INTEGERS = new byte[130][];

    static {
        for (int i = -1; i <= 128; i++) {
            SMALL_INTEGERS[i + 1] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private RespWriter() {
    }

    /** {@code +text\r\n}; {@code text} must not contain CR or LF. */
    public static void simpleString(ByteBuf out, String text) {
        out.writeByte('+');
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        out.writeShort(CRLF_SHORT);
    }

    /** {@code -text\r\n}; CR and LF inside {@code text} are replaced by blanks so that the frame stays well-formed. */
    public static void error(ByteBuf out, String text) {
        out.writeByte('-');
        out.writeCharSequence(text.replace('\r', ' ').replace('\n', ' '), StandardCharsets.UTF_8);
        out.writeShort(CRLF_SHORT);
    }

    /** {@code :value\r\n}. */
    public static void integer(ByteBuf out, long value) {
        if (value >= -1 && value <= 128) {
            out.writeBytes(SMALL_INTEGERS[(int) value + 1]);
            return;
        }
        out.writeByte(':');
        writeDecimal(out, value);
        out.writeShort(CRLF_SHORT);
    }

    /** {@code $len\r\nbytes\r\n}, or the null bulk string when {@code bytes} is null. */
    public static void bulk(ByteBuf out, byte[] bytes) {
        if (bytes == null) {
            out.writeBytes(NULL_BULK);
            return;
        }
        bulk(out, bytes, 0, bytes.length);
    }

    /** {@code $len\r\n} and {@code len} bytes of {@code bytes} from {@code offset}, then CRLF. */
    public static void bulk(ByteBuf out, byte[] bytes, int offset, int length) {
        bulkHeader(out, length);
        out.writeBytes(bytes, offset, length);
        out.writeShort(CRLF_SHORT);
    }

    /** {@code $len\r\n}: the start of a bulk string whose bytes and CRLF ({@link #crlf}) the caller writes. */
    public static void bulkHeader(ByteBuf out, int length) {
        out.writeByte('$');
        writeDecimal(out, length);
        out.writeShort(CRLF_SHORT);
    }

    /** {@code \r\n}. */
    public static void crlf(ByteBuf out) {
        out.writeShort(CRLF_SHORT);
    }

    /** A bulk string of {@code text} in UTF-8. */
    public static void bulk(ByteBuf out, String text) {
        bulk(out, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The null bulk string {@code $-1\r\n}. */
    public static void nullBulk(ByteBuf out) {
        out.writeBytes(NULL_BULK);
    }

    /** The null array {@code *-1\r\n}. */
    public static void nullArray(ByteBuf out) {
        out.writeBytes(NULL_ARRAY);
    }

    /** {@code *count\r\n}: the caller writes {@code count} values after it. */
    public static void arrayHeader(ByteBuf out, int count) {
        out.writeByte('*');
        writeDecimal(out, count);
        out.writeShort(CRLF_SHORT);
    }

    /** A command: an array of bulk strings. */
    public static void command(ByteBuf out, byte[]... args) {
        arrayHeader(out, args.length);
        for (byte[] arg : args) {
            bulk(out, arg);
        }
    }

    /** A command: an array of bulk strings. */
    public static void command(ByteBuf out, List<byte[]> args) {
        arrayHeader(out, args.size());
        for (byte[] arg : args) {
            bulk(out, arg);
        }
    }

    /** Any RESP2 value. */
    public static void message(ByteBuf out, RespMessage message) {
        switch (message) {
            case RespMessage.SimpleString s -> simpleString(out, s.text());
            case RespMessage.Error e -> error(out, e.text());
            case RespMessage.Integer i -> integer(out, i.value());
            case RespMessage.Bulk b -> bulk(out, b.bytes());
            case RespMessage.Array a -> {
                if (a.isNull()) {
                    nullArray(out);
                } else {
                    arrayHeader(out, a.elements().size());
                    for (RespMessage element : a.elements()) {
                        message(out, element);
                    }
                }
            }
        }
    }

    /**
     * Writes {@code value} in decimal ASCII without allocating: the store's one decimal formatter (every reply header,
     * the client's commands, the counters' stored values).
     */
    public static void writeDecimal(ByteBuf out, long value) {
        if (value == Long.MIN_VALUE) {
            out.writeBytes(LONG_MIN_DIGITS);
            return;
        }
        if (value < 0) {
            out.writeByte('-');
            value = -value;
        }
        if (value < 10) {
            out.writeByte((int) ('0' + value));
            return;
        }
        int digits = decimalLength(value);
        out.ensureWritable(digits);
        int end = out.writerIndex() + digits;
        for (int i = end - 1; i >= out.writerIndex(); i--) {
            out.setByte(i, (int) ('0' + value % 10));
            value /= 10;
        }
        out.writerIndex(end);
    }

    /** @return the characters {@link #writeDecimal} writes for {@code value}, its sign included. */
    public static int decimalLength(long value) {
        if (value == Long.MIN_VALUE) {
            return LONG_MIN_DIGITS.length;
        }
        int length = value < 0 ? 2 : 1;
        for (long v = Math.abs(value) / 10; v != 0; v /= 10) {
            length++;
        }
        return length;
    }
}
