package io.memfabric.store.server;

/**
 * Number parsing with redis-server's rules, so that the same text is accepted or refused with the same error:
 * {@code string2ll} for integer arguments and integer values (no blanks, no {@code +}, no leading zeros, no
 * {@code -0}, at most 20 characters) and {@code strtoul} for {@code SCAN} cursors.
 *
 * <p>Thread safety: stateless.
 */
final class RedisNumbers {
    /** redis-server's LONG_STR_SIZE: the longest signed 64-bit decimal (20 characters) plus one. */
    private static final int LONG_STR_SIZE = 21;
    /** {@link #parseCursor} result for text strtoul refuses. */
    static final long INVALID_CURSOR = -1;
    /** {@link #parseCursor} result for a cursor beyond any slot (the scan is over). */
    static final long CURSOR_END = Long.MAX_VALUE;

    private RedisNumbers() {
    }

    /** @return whether {@code s[0, length)} is an integer by redis-server's {@code string2ll}. */
    static boolean isLong(byte[] s, int length) {
        if (length == 0 || length >= LONG_STR_SIZE) {
            return false;
        }
        if (length == 1 && s[0] == '0') {
            return true;
        }
        int i = 0;
        if (s[0] == '-') {
            if (length == 1) {
                return false;
            }
            i = 1;
        }
        if (s[i] < '1' || s[i] > '9') {
            return false;
        }
        boolean negative = i == 1;
        // Accumulate negatively so that Long.MIN_VALUE is reachable.
        long value = 0;
        for (; i < length; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            if (value < (Long.MIN_VALUE + d) / 10) {
                return false;
            }
            value = value * 10 - d;
        }
        return negative || value != Long.MIN_VALUE;
    }

    /** @return the value of {@code s[0, length)}; only after {@link #isLong} said yes. */
    static long toLong(byte[] s, int length) {
        if (length == 1 && s[0] == '0') {
            return 0;
        }
        boolean negative = s[0] == '-';
        long value = 0;
        for (int i = negative ? 1 : 0; i < length; i++) {
            value = value * 10 - (s[i] - '0');
        }
        return negative ? value : -value;
    }

    /** @return whether the whole array is an integer by {@code string2ll}. */
    static boolean isLong(byte[] s) {
        return isLong(s, s.length);
    }

    /** @return the whole array's value; only after {@link #isLong(byte[])} said yes. */
    static long toLong(byte[] s) {
        return toLong(s, s.length);
    }

    /**
     * Parses a {@code SCAN} cursor as redis-server does ({@code strtoul}, base 10: optional sign, digits; a negative
     * value wraps; empty text is 0).
     *
     * @return the cursor, {@link #CURSOR_END} for one beyond {@code Long.MAX_VALUE - 1}, or {@link #INVALID_CURSOR}
     */
    static long parseCursor(byte[] s) {
        if (s.length == 0) {
            return 0;
        }
        int i = 0;
        if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) {
            return INVALID_CURSOR;
        }
        boolean negative = false;
        if (s[0] == '+' || s[0] == '-') {
            negative = s[0] == '-';
            i = 1;
        }
        if (i == s.length) {
            return INVALID_CURSOR;
        }
        long value = 0;
        boolean beyond = false;
        for (; i < s.length; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) {
                return INVALID_CURSOR;
            }
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - d, 10)) > 0) {
                return INVALID_CURSOR;
            }
            value = value * 10 + d;
        }
        if (negative) {
            value = -value;
        }
        if (value < 0 || value == Long.MAX_VALUE) {
            beyond = true;
        }
        return beyond ? CURSOR_END : value;
    }
}
