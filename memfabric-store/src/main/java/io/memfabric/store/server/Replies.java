package io.memfabric.store.server;

import java.nio.charset.StandardCharsets;

/**
 * Pre-encoded replies and redis-server's error texts, byte for byte (Netty's {@code FixedRedisMessagePool} idea): the
 * frequent ones are written with one {@code writeBytes}.
 *
 * <p>Thread safety: immutable constants (the arrays must not be modified).
 */
final class Replies {
    static final byte[] OK = bytes("+OK\r\n");
    static final byte[] PONG = bytes("+PONG\r\n");
    static final byte[] NULL_BULK = bytes("$-1\r\n");
    static final byte[] EMPTY_BULK = bytes("$0\r\n\r\n");
    static final byte[] EMPTY_ARRAY = bytes("*0\r\n");
    static final byte[] PONG_SUBSCRIBED_HEADER = bytes("*2\r\n$4\r\npong\r\n");
    static final byte[] WATCH_PUSH_HEADER = bytes("*3\r\n$8\r\nmf:watch\r\n");
    static final byte[] CAS_SWAPPED = bytes("*2\r\n:1\r\n");
    static final byte[] CAS_NOT_SWAPPED = bytes("*2\r\n:0\r\n");

    static final byte[] SYNTAX_ERROR = bytes("-ERR syntax error\r\n");
    static final byte[] NOT_AN_INTEGER = bytes("-ERR value is not an integer or out of range\r\n");
    /** redis-server's {@code getIntFromObjectOrReply} for a 64-bit integer outside the 32-bit range. */
    static final byte[] INT_OUT_OF_RANGE = bytes("-ERR value is out of range, value must between -2147483648 and "
            + "2147483647\r\n");
    static final byte[] INCR_OVERFLOW = bytes("-ERR increment or decrement would overflow\r\n");
    static final byte[] DECR_OVERFLOW = bytes("-ERR decrement would overflow\r\n");
    static final byte[] OFFSET_OUT_OF_RANGE = bytes("-ERR offset is out of range\r\n");
    static final byte[] STRING_TOO_LONG = bytes("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    static final byte[] DB_INDEX_OUT_OF_RANGE = bytes("-ERR DB index is out of range\r\n");
    static final byte[] INVALID_CURSOR = bytes("-ERR invalid cursor\r\n");
    static final byte[] NOAUTH = bytes("-NOAUTH Authentication required.\r\n");
    static final byte[] WRONGPASS = bytes("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    static final byte[] AUTH_NOT_CONFIGURED = bytes("-ERR AUTH <password> called without any password configured "
            + "for the default user. Are you sure your configuration is correct?\r\n");
    static final byte[] MAX_CLIENTS = bytes("-ERR max number of clients reached\r\n");

    private Replies() {
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
