package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * The one parser of signed 64-bit decimals in the store, fed a byte at a time (a {@link ByteProcessor}, as Netty's
 * {@code RedisDecoder} parses its lengths), so that it reads a {@code ByteBuf} in place ({@code forEachByte}: one
 * bounds check for the whole run) and a {@code byte[]} alike. Two rule sets:
 * <ul>
 *   <li>{@link #forProtocol()}: the lengths and integers of the wire, {@code -?[0-9]+} (leading zeros and {@code -0}
 *       pass, as they always have in this decoder);</li>
 *   <li>{@link #forArguments()}: redis-server's {@code string2ll}, for integer arguments and values (no blanks, no
 *       {@code +}, no leading zeros, no {@code -0}), so that the store refuses the same text with the same error.</li>
 * </ul>
 * Digits are accumulated negatively, so that {@code Long.MIN_VALUE} (a valid {@code INCRBY} result) parses.
 *
 * <p>Thread safety: not thread safe; one instance per decoder or per event loop, reused for every number.
 */
public final class RespNumberParser implements ByteProcessor {
    private final boolean canonical;
    private long value;
    private int digits;
    private boolean negative;
    private boolean leadingZero;
    private boolean signOnly;
    private boolean malformed;
    private boolean overflow;

    private RespNumberParser(boolean canonical) {
        this.canonical = canonical;
    }

    /** @return a parser of the wire's lengths and integers. */
    public static RespNumberParser forProtocol() {
        return new RespNumberParser(false);
    }

    /** @return a parser with redis-server's {@code string2ll} rules, for arguments and stored values. */
    public static RespNumberParser forArguments() {
        return new RespNumberParser(true);
    }

    /**
     * Parses {@code s[from, to)}.
     *
     * @return whether the text is a number by this parser's rules; then {@link #value()} holds it
     */
    public boolean parse(byte[] s, int from, int to) {
        reset();
        int i = from;
        while (i < to && process(s[i])) {
            i++;
        }
        return finish();
    }

    /** @return whether the whole of {@code s} is a number; then {@link #value()} holds it. */
    public boolean parse(byte[] s) {
        return parse(s, 0, s.length);
    }

    /**
     * Parses the number of a RESP header line: the bytes {@code [from, lf)} of {@code in}, which must end with CR.
     *
     * @param what names the number in the error, redis-server's wording ({@code invalid bulk length})
     * @return the number
     * @throws ProtocolException on anything but {@code -?[0-9]+\r} without overflow
     */
    long parseLine(ByteBuf in, int from, int lf, String what) {
        int end = lf - 1;
        if (end < from || in.getByte(end) != '\r') {
            throw new ProtocolException("Protocol error: " + what + " (line not terminated by CRLF)");
        }
        reset();
        if (end > from) {
            in.forEachByte(from, end - from, this);
        }
        if (!finish()) {
            throw new ProtocolException("Protocol error: " + what + (overflow ? " (overflow)" : ""));
        }
        return value;
    }

    /** @return the number the last successful parse produced. */
    public long value() {
        return value;
    }

    @Override
    public boolean process(byte b) {
        if (b == '-' && digits == 0 && !negative) {
            negative = true;
            signOnly = true;
            return true;
        }
        signOnly = false;
        int d = b - '0';
        if (d < 0 || d > 9 || (canonical && leadingZero)) {
            malformed = true;
            return false;
        }
        if (digits == 0 && d == 0) {
            leadingZero = true;
        }
        if (value < (Long.MIN_VALUE + d) / 10) {
            overflow = true;
            return false;
        }
        value = value * 10 - d;
        digits++;
        return true;
    }

    private void reset() {
        value = 0;
        digits = 0;
        negative = false;
        leadingZero = false;
        signOnly = false;
        malformed = false;
        overflow = false;
    }

    /** Applies the end-of-text rules and turns the negative accumulator into the value. */
    private boolean finish() {
        if (malformed || overflow || digits == 0 || signOnly || (canonical && negative && leadingZero)) {
            return false;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                overflow = true;
                return false;
            }
            value = -value;
        }
        return true;
    }
}
