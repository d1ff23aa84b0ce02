package io.memfabric.store.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One RESP2 value: simple string, error, integer, bulk string or array (the last two may be null). Bulk contents are
 * plain {@code byte[]}: the store copies a value out of the socket buffer once, into the keyspace, and the messages
 * hold no reference-counted buffers, so nothing here can leak.
 *
 * <p>Thread safety: immutable (a bulk string's array must not be modified after construction).
 */
public sealed interface RespMessage {

    /** {@code +text}. */
    record SimpleString(String text) implements RespMessage {
        @Override
        public String toString() {
            return "+" + text;
        }
    }

    /**
     * {@code -KIND message}. Redis error replies open with a kind word ({@code ERR}, {@code WRONGTYPE},
     * {@code NOAUTH}); memfabric's own errors open with an {@code ErrorCode} name ({@code STORE_TIMEOUT ...}).
     */
    record Error(String text) implements RespMessage {
        /** @return the first word of the error: its kind. */
        public String kind() {
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }

        @Override
        public String toString() {
            return "-" + text;
        }
    }

    /** {@code :value}. */
    record Integer(long value) implements RespMessage {
        @Override
        public String toString() {
            return ":" + value;
        }
    }

    /** {@code $len\r\nbytes}, or the null bulk string {@code $-1} when {@code bytes} is null. */
    record Bulk(byte[] bytes) implements RespMessage {
        /** The null bulk string. */
        public static final Bulk NULL = new Bulk(null);

        /** @return whether this is the null bulk string. */
        public boolean isNull() {
            return bytes == null;
        }

        /** @return the contents as ISO-8859-1 text (one char per byte, so binary data round-trips), or null. */
        public String latin1() {
            return bytes == null ? null : new String(bytes, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return bytes == null ? "$-1" : "$" + bytes.length + ":" + latin1();
        }
    }

    /** {@code *n} followed by n values, or the null array {@code *-1} when {@code elements} is null. */
    record Array(List<RespMessage> elements) implements RespMessage {
        /** The null array. */
        public static final Array NULL = new Array(null);

        /** @return whether this is the null array. */
        public boolean isNull() {
            return elements == null;
        }

        @Override
        public String toString() {
            return elements == null ? "*-1" : "*" + elements;
        }
    }
}
