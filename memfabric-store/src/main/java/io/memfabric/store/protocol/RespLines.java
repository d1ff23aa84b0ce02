package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;

/**
 * The one line reader of both decoders: finds a header line's LF within its length limit (refusing a longer line
 * before it is buffered whole), and checks the CRLF that ends a bulk string. It reads the buffer in place: Netty's
 * {@code indexOf} scans a word at a time, so nothing is copied out to look for a line end.
 *
 * <p>Thread safety: stateless.
 */
final class RespLines {
    /** A length or integer header line: a sign, 19 digits and CRLF fit in 32 bytes with room to spare. */
    static final int MAX_NUMBER_LINE = 32;
    /** {@link #findLineEnd} result when the line's LF has not arrived yet. */
    static final int INCOMPLETE = -1;

    private RespLines() {
    }

    /**
     * @param start     where the line starts (its type byte)
     * @param maxLength the longest line allowed, bytes
     * @param what      names the line in the error ({@code multibulk length})
     * @return the index of the line's LF, or {@link #INCOMPLETE} when no LF is there yet
     * @throws ProtocolException when the line is longer than {@code maxLength} bytes
     */
    static int findLineEnd(ByteBuf in, int start, int maxLength, String what) {
        long limit = Math.min(in.writerIndex(), (long) start + maxLength);
        int lf = in.indexOf(start, (int) limit, (byte) '\n');
        if (lf >= 0) {
            return lf;
        }
        if ((long) in.writerIndex() - start >= maxLength) {
            throw new ProtocolException("Protocol error: too big " + what + " (expected: <= " + maxLength
                    + " bytes)");
        }
        return INCOMPLETE;
    }

    /** @return the end of a text line's content: its LF, or the CR before it. */
    static int textEnd(ByteBuf in, int start, int lf) {
        return lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    }

    /**
     * @param what names the length in the error ({@code invalid bulk length})
     * @return {@code length}
     * @throws ProtocolException unless {@code 0 <= length <= max}, in redis-server's wording with the limit added
     */
    static long requireLength(long length, String what, long max) {
        if (length < 0 || length > max) {
            throw new ProtocolException("Protocol error: " + what + ": " + length + " (expected: 0.." + max + ")");
        }
        return length;
    }

    /**
     * Reads a bulk string's content, all of which (and its CRLF) is readable, and moves the reader index past it.
     * The bytes are copied out only after the CRLF is validated (Netty's {@code RedisDecoder} retains its slice only
     * then): the value then belongs to the message, and the buffer goes back to its pool.
     *
     * @throws ProtocolException when the content is not followed by CRLF
     */
    static byte[] readBulk(ByteBuf in, int length) {
        int start = in.readerIndex();
        if (in.getByte(start + length) != '\r' || in.getByte(start + length + 1) != '\n') {
            throw new ProtocolException("Protocol error: bulk string not terminated by CRLF");
        }
        byte[] bytes = new byte[length];
        in.getBytes(start, bytes);
        in.readerIndex(start + length + 2);
        return bytes;
    }

    /** @return the byte as itself when printable, else as {@code \xNN}, for error messages. */
    static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
