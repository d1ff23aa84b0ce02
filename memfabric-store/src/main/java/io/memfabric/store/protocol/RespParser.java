package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Incremental RESP2 parser over a {@link ByteBuf} that may hold a partial frame. Two modes: <em>commands</em> (what a
 * server reads: arrays of bulk strings, or inline lines) produce {@link RespCommand}s; <em>replies</em> (what a client
 * reads: any RESP2 value) produce {@link RespMessage}s.
 *
 * <p>Each call first <em>scans</em> the frame without allocating, checking every length, arity and depth against the
 * {@link RespLimits} before anything is reserved; only a complete, valid frame is then materialised. When a frame is
 * incomplete the reader index is left where it was and the parser remembers how many bytes it needs at least, so a
 * 64 MiB value arriving in small reads is not rescanned for every read.
 *
 * <p>Failures throw {@link ProtocolException} whose message matches redis-server's wording where there is one
 * ({@code Protocol error: invalid bulk length}); the caller answers it and closes the connection.
 *
 * <p>Thread safety: one instance per connection (it keeps the bytes-needed hint), used by one thread at a time.
 */
public final class RespParser {
    /** A length or integer header line: a sign, 19 digits and CRLF fit in 32 bytes with room to spare. */
    private static final int MAX_NUMBER_LINE = 32;
    private static final int INCOMPLETE = -1;

    /** Bytes copied at a time from a direct buffer for {@link #parseCommands}: many pipelined commands fit. */
    static final int DEFAULT_WINDOW_BYTES = 16 * 1024;

    private final RespLimits limits;
    private final boolean commands;
    private long needed;
    /**
     * {@link #parseCommands}' copy of the start of a direct buffer's readable bytes, one per thread: a parse never
     * keeps it between calls, so the connections of one event loop share it (10,000 clients do not cost 10,000
     * windows).
     */
    private static final FastThreadLocal<byte[]> WINDOWS = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[DEFAULT_WINDOW_BYTES];
        }
    };

    /** A window of another size than the shared one (tests), or null to use the thread's. */
    private final byte[] ownWindow;
    /** {@link #parseCommands}: offsets and lengths of the arguments of the frame being scanned. */
    private int[] argStarts = new int[8];
    private int[] argLengths = new int[8];

    private RespParser(RespLimits limits, boolean commands, int windowBytes) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.commands = commands;
        this.ownWindow = commands && windowBytes != DEFAULT_WINDOW_BYTES ? new byte[windowBytes] : null;
    }

    /** @return a parser of commands (server side). */
    public static RespParser forCommands(RespLimits limits) {
        return new RespParser(limits, true, DEFAULT_WINDOW_BYTES);
    }

    /** @return a parser of commands whose copy window is {@code windowBytes} (tests exercise window edges). */
    static RespParser forCommands(RespLimits limits, int windowBytes) {
        return new RespParser(limits, true, Math.max(MAX_NUMBER_LINE, windowBytes));
    }

    /** @return a parser of replies (client side). */
    public static RespParser forReplies(RespLimits limits) {
        return new RespParser(limits, false, 0);
    }

    /**
     * Parses one command, skipping empty inline lines and empty arrays (redis-server ignores both).
     *
     * @param in bytes received so far; on success the reader index moves past the frame
     * @return the command, or {@code null} when more bytes are needed
     * @throws ProtocolException on a malformed or oversized frame
     */
    public RespCommand parseCommand(ByteBuf in) {
        if (!commands) {
            throw new IllegalStateException("a reply parser parses replies");
        }
        while (true) {
            if (!in.isReadable() || in.readableBytes() < needed) {
                return null;
            }
            int start = in.readerIndex();
            byte first = in.getByte(start);
            if (first != '*') {
                int lineEnd = findLineEnd(in, start, limits.maxInlineBytes(), "inline command");
                if (lineEnd == INCOMPLETE) {
                    needed = in.readableBytes() + 1L;
                    return null;
                }
                needed = 0;
                RespCommand inline = inline(in, start, lineEnd);
                in.readerIndex(afterLine(in, lineEnd));
                if (inline != null) {
                    return inline;
                }
                continue;
            }
            long end = scanCommandArray(in, start);
            if (end == INCOMPLETE) {
                return null;
            }
            needed = 0;
            RespCommand command = buildCommandArray(in, start);
            in.readerIndex((int) end);
            if (command != null) {
                return command;
            }
        }
    }

    /**
     * Parses every complete command in {@code in} into {@code out}, skipping empty inline lines and empty arrays.
     * This is the server's hot path: the readable bytes are read as a {@code byte[]} (the buffer's own array, or a
     * copy of up to {@value #DEFAULT_WINDOW_BYTES} bytes of a direct buffer, made once for many pipelined commands),
     * because per-byte reads through a direct {@link ByteBuf} cost far more than the copy. A frame larger than the
     * window is parsed from the buffer by {@link #parseCommand}.
     *
     * @param in  bytes received so far; the reader index moves past every frame parsed
     * @param out receives the commands, in order
     * @throws ProtocolException on a malformed or oversized frame (the commands before it are already in
     *                           {@code out})
     */
    public void parseCommands(ByteBuf in, List<Object> out) {
        if (!commands) {
            throw new IllegalStateException("a reply parser parses replies");
        }
        while (true) {
            int readable = in.readableBytes();
            if (readable == 0 || readable < needed) {
                return;
            }
            int start = in.readerIndex();
            byte[] bytes;
            int base;
            int length;
            if (in.hasArray()) {
                bytes = in.array();
                base = in.arrayOffset() + start;
                length = readable;
            } else {
                bytes = ownWindow != null ? ownWindow : WINDOWS.get();
                base = 0;
                length = Math.min(readable, bytes.length);
                in.getBytes(start, bytes, 0, length);
            }
            boolean whole = length == readable;
            int consumed = 0;
            while (consumed < length) {
                int frame = scanFrame(bytes, base + consumed, base + length, out);
                if (frame > 0) {
                    consumed += frame;
                    continue;
                }
                // The frame is incomplete within the bytes at hand.
                in.readerIndex(start + consumed);
                if (whole) {
                    return;
                }
                if (consumed == 0) {
                    // Larger than the window: parse this one frame from the buffer itself.
                    needed = 0;
                    RespCommand command = parseCommand(in);
                    if (command == null) {
                        return;
                    }
                    out.add(command);
                }
                break;
            }
            if (consumed == length) {
                in.readerIndex(start + consumed);
                needed = 0;
            }
        }
    }

    /**
     * Scans one frame in {@code a[from, to)} and, when complete, adds its command to {@code out}.
     *
     * @return the frame's length, or INCOMPLETE with {@link #needed} set (relative to {@code from})
     */
    private int scanFrame(byte[] a, int from, int to, List<Object> out) {
        if (a[from] != '*') {
            int lineEnd = findLineEnd(a, from, to, limits.maxInlineBytes(), "inline command");
            if (lineEnd == INCOMPLETE) {
                needed = to - from + 1L;
                return INCOMPLETE;
            }
            needed = 0;
            RespCommand inline = inline(a, from, lineEnd);
            if (inline != null) {
                out.add(inline);
            }
            return lineEnd + 1 - from;
        }
        int lineEnd = findLineEnd(a, from, to, MAX_NUMBER_LINE, "multibulk length");
        if (lineEnd == INCOMPLETE) {
            needed = to - from + 1L;
            return INCOMPLETE;
        }
        long count = parseNumber(a, from + 1, lineEnd, "invalid multibulk length");
        if (count > limits.maxArrayLength()) {
            throw new ProtocolException("Protocol error: invalid multibulk length: " + count + " (expected: <= "
                    + limits.maxArrayLength() + ")");
        }
        int n = (int) Math.max(count, 0);
        if (argStarts.length < n) {
            argStarts = new int[Math.max(n, 2 * argStarts.length)];
            argLengths = new int[argStarts.length];
        }
        int pos = lineEnd + 1;
        for (int i = 0; i < n; i++) {
            if (pos >= to) {
                needed = pos + 1L - from;
                return INCOMPLETE;
            }
            if (a[pos] != '$') {
                throw new ProtocolException("Protocol error: expected '$', got '" + printable(a[pos]) + "'");
            }
            int bulkLineEnd = findLineEnd(a, pos, to, MAX_NUMBER_LINE, "bulk length");
            if (bulkLineEnd == INCOMPLETE) {
                needed = to - from + 1L;
                return INCOMPLETE;
            }
            long length = parseNumber(a, pos + 1, bulkLineEnd, "invalid bulk length");
            if (length < 0 || length > limits.maxBulkBytes()) {
                throw new ProtocolException("Protocol error: invalid bulk length: " + length + " (expected: 0.."
                        + limits.maxBulkBytes() + ")");
            }
            long contentStart = bulkLineEnd + 1L;
            long contentEnd = contentStart + length;
            if (contentEnd + 2 > to) {
                needed = contentEnd + 2 - from;
                return INCOMPLETE;
            }
            if (a[(int) contentEnd] != '\r' || a[(int) contentEnd + 1] != '\n') {
                throw new ProtocolException("Protocol error: bulk string not terminated by CRLF");
            }
            argStarts[i] = (int) contentStart;
            argLengths[i] = (int) length;
            pos = (int) contentEnd + 2;
        }
        needed = 0;
        if (n > 0) {
            byte[][] args = new byte[n][];
            for (int i = 0; i < n; i++) {
                args[i] = Arrays.copyOfRange(a, argStarts[i], argStarts[i] + argLengths[i]);
            }
            out.add(new RespCommand(args));
        }
        return pos - from;
    }

    private static int findLineEnd(byte[] a, int start, int end, int maxLength, String what) {
        int limit = (int) Math.min(end, (long) start + maxLength);
        for (int i = start; i < limit; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        if (end - start >= maxLength) {
            throw new ProtocolException("Protocol error: too big " + what + " (expected: <= " + maxLength
                    + " bytes)");
        }
        return INCOMPLETE;
    }

    private static long parseNumber(byte[] a, int from, int lf, String what) {
        int end = lf - 1;
        if (end < from || a[end] != '\r') {
            throw new ProtocolException("Protocol error: " + what + " (line not terminated by CRLF)");
        }
        boolean negative = from < end && a[from] == '-';
        int i = negative ? from + 1 : from;
        if (i >= end) {
            throw new ProtocolException("Protocol error: " + what);
        }
        long value = 0;
        for (; i < end; i++) {
            byte b = a[i];
            if (b < '0' || b > '9') {
                throw new ProtocolException("Protocol error: " + what);
            }
            if (value < (Long.MIN_VALUE + (b - '0')) / 10) {
                throw new ProtocolException("Protocol error: " + what + " (overflow)");
            }
            value = value * 10 - (b - '0');
        }
        if (!negative && value == Long.MIN_VALUE) {
            throw new ProtocolException("Protocol error: " + what + " (overflow)");
        }
        return negative ? value : -value;
    }

    private static RespCommand inline(byte[] a, int start, int lineEnd) {
        int end = lineEnd > start && a[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        List<byte[]> words = new ArrayList<>();
        int i = start;
        while (i < end) {
            while (i < end && isBlank(a[i])) {
                i++;
            }
            int wordStart = i;
            while (i < end && !isBlank(a[i])) {
                i++;
            }
            if (i > wordStart) {
                words.add(Arrays.copyOfRange(a, wordStart, i));
            }
        }
        return words.isEmpty() ? null : new RespCommand(words.toArray(new byte[0][]));
    }

    /**
     * Parses one reply.
     *
     * @param in bytes received so far; on success the reader index moves past the frame
     * @return the reply, or {@code null} when more bytes are needed
     * @throws ProtocolException on a malformed or oversized frame
     */
    public RespMessage parseReply(ByteBuf in) {
        if (commands) {
            throw new IllegalStateException("a command parser parses commands");
        }
        if (!in.isReadable() || in.readableBytes() < needed) {
            return null;
        }
        int start = in.readerIndex();
        long end = scanValue(in, start, 1);
        if (end == INCOMPLETE) {
            return null;
        }
        needed = 0;
        RespMessage message = buildValue(in, start, new int[] {start});
        in.readerIndex((int) end);
        return message;
    }

    // ---------------------------------------------------------------- commands

    /** @return the index after the frame, or INCOMPLETE (with {@link #needed} set). */
    private long scanCommandArray(ByteBuf in, int start) {
        int lineEnd = findLineEnd(in, start, MAX_NUMBER_LINE, "multibulk length");
        if (lineEnd == INCOMPLETE) {
            return incomplete(in, start, in.writerIndex() + 1L);
        }
        long count = parseNumber(in, start + 1, lineEnd, "invalid multibulk length");
        if (count > limits.maxArrayLength()) {
            throw new ProtocolException("Protocol error: invalid multibulk length: " + count + " (expected: <= "
                    + limits.maxArrayLength() + ")");
        }
        int pos = afterLine(in, lineEnd);
        for (long i = 0; i < count; i++) {
            if (pos >= in.writerIndex()) {
                return incomplete(in, start, pos + 1L);
            }
            byte type = in.getByte(pos);
            if (type != '$') {
                throw new ProtocolException("Protocol error: expected '$', got '" + printable(type) + "'");
            }
            int bulkLineEnd = findLineEnd(in, pos, MAX_NUMBER_LINE, "bulk length");
            if (bulkLineEnd == INCOMPLETE) {
                return incomplete(in, start, in.writerIndex() + 1L);
            }
            long length = parseNumber(in, pos + 1, bulkLineEnd, "invalid bulk length");
            if (length < 0 || length > limits.maxBulkBytes()) {
                throw new ProtocolException("Protocol error: invalid bulk length: " + length + " (expected: 0.."
                        + limits.maxBulkBytes() + ")");
            }
            long contentStart = afterLine(in, bulkLineEnd);
            long contentEnd = contentStart + length;
            if (contentEnd + 2 > in.writerIndex()) {
                return incomplete(in, start, contentEnd + 2);
            }
            requireCrLf(in, (int) contentEnd);
            pos = (int) contentEnd + 2;
        }
        return pos;
    }

    private RespCommand buildCommandArray(ByteBuf in, int start) {
        int lineEnd = findLineEnd(in, start, MAX_NUMBER_LINE, "multibulk length");
        // The scan accepted any count <= the limit; a negative one (even -4294967295, which an int cast would turn
        // into 1) is an empty frame.
        long count = parseNumber(in, start + 1, lineEnd, "invalid multibulk length");
        if (count <= 0) {
            return null;
        }
        byte[][] args = new byte[(int) count][];
        int pos = afterLine(in, lineEnd);
        for (int i = 0; i < count; i++) {
            int bulkLineEnd = findLineEnd(in, pos, MAX_NUMBER_LINE, "bulk length");
            int length = (int) parseNumber(in, pos + 1, bulkLineEnd, "invalid bulk length");
            int contentStart = afterLine(in, bulkLineEnd);
            byte[] bytes = new byte[length];
            in.getBytes(contentStart, bytes);
            args[i] = bytes;
            pos = contentStart + length + 2;
        }
        return new RespCommand(args);
    }

    private static RespCommand inline(ByteBuf in, int start, int lineEnd) {
        int end = lineEnd > start && in.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
        // One bulk copy, then split in the array: cheaper than a ByteBuf access per byte.
        byte[] line = new byte[end - start];
        in.getBytes(start, line);
        List<byte[]> words = new ArrayList<>();
        int i = 0;
        while (i < line.length) {
            while (i < line.length && isBlank(line[i])) {
                i++;
            }
            int wordStart = i;
            while (i < line.length && !isBlank(line[i])) {
                i++;
            }
            if (i > wordStart) {
                words.add(Arrays.copyOfRange(line, wordStart, i));
            }
        }
        return words.isEmpty() ? null : new RespCommand(words.toArray(new byte[0][]));
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    // ---------------------------------------------------------------- replies

    private long scanValue(ByteBuf in, int pos, int depth) {
        if (pos >= in.writerIndex()) {
            return incomplete(in, in.readerIndex(), pos + 1L);
        }
        byte type = in.getByte(pos);
        int max = type == '+' || type == '-' ? limits.maxInlineBytes() : MAX_NUMBER_LINE;
        int lineEnd = findLineEnd(in, pos, max, "reply line");
        if (lineEnd == INCOMPLETE) {
            return incomplete(in, in.readerIndex(), in.writerIndex() + 1L);
        }
        int next = afterLine(in, lineEnd);
        switch (type) {
            case '+', '-' -> {
                return next;
            }
            case ':' -> {
                parseNumber(in, pos + 1, lineEnd, "invalid integer");
                return next;
            }
            case '$' -> {
                long length = parseNumber(in, pos + 1, lineEnd, "invalid bulk length");
                if (length == -1) {
                    return next;
                }
                if (length < 0 || length > limits.maxBulkBytes()) {
                    throw new ProtocolException("Protocol error: invalid bulk length: " + length + " (expected: 0.."
                            + limits.maxBulkBytes() + ")");
                }
                long contentEnd = next + length;
                if (contentEnd + 2 > in.writerIndex()) {
                    return incomplete(in, in.readerIndex(), contentEnd + 2);
                }
                requireCrLf(in, (int) contentEnd);
                return contentEnd + 2;
            }
            case '*' -> {
                long count = parseNumber(in, pos + 1, lineEnd, "invalid multibulk length");
                if (count == -1) {
                    return next;
                }
                if (count < 0 || count > limits.maxArrayLength()) {
                    throw new ProtocolException("Protocol error: invalid multibulk length: " + count
                            + " (expected: 0.." + limits.maxArrayLength() + ")");
                }
                if (count > 0 && depth >= limits.maxDepth()) {
                    throw new ProtocolException("Protocol error: arrays nested deeper than " + limits.maxDepth());
                }
                long p = next;
                for (long i = 0; i < count; i++) {
                    p = scanValue(in, (int) p, depth + 1);
                    if (p == INCOMPLETE) {
                        return INCOMPLETE;
                    }
                }
                return p;
            }
            default -> throw new ProtocolException("Protocol error: unknown reply type '" + printable(type) + "'");
        }
    }

    /** Builds a value known to be complete and valid; {@code cursor[0]} is advanced past it. */
    private RespMessage buildValue(ByteBuf in, int pos, int[] cursor) {
        byte type = in.getByte(pos);
        int lineEnd = findLineEnd(in, pos, Integer.MAX_VALUE, "reply line");
        int next = afterLine(in, lineEnd);
        int textEnd = lineEnd > pos && in.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
        switch (type) {
            case '+' -> {
                cursor[0] = next;
                return new RespMessage.SimpleString(text(in, pos + 1, textEnd));
            }
            case '-' -> {
                cursor[0] = next;
                return new RespMessage.Error(text(in, pos + 1, textEnd));
            }
            case ':' -> {
                cursor[0] = next;
                return new RespMessage.Integer(parseNumber(in, pos + 1, lineEnd, "invalid integer"));
            }
            case '$' -> {
                int length = (int) parseNumber(in, pos + 1, lineEnd, "invalid bulk length");
                if (length == -1) {
                    cursor[0] = next;
                    return RespMessage.Bulk.NULL;
                }
                byte[] bytes = new byte[length];
                in.getBytes(next, bytes);
                cursor[0] = next + length + 2;
                return new RespMessage.Bulk(bytes);
            }
            default -> {
                int count = (int) parseNumber(in, pos + 1, lineEnd, "invalid multibulk length");
                if (count == -1) {
                    cursor[0] = next;
                    return RespMessage.Array.NULL;
                }
                List<RespMessage> elements = new ArrayList<>(count);
                int p = next;
                for (int i = 0; i < count; i++) {
                    elements.add(buildValue(in, p, cursor));
                    p = cursor[0];
                }
                cursor[0] = p;
                return new RespMessage.Array(List.copyOf(elements));
            }
        }
    }

    private static String text(ByteBuf in, int from, int to) {
        return in.toString(from, to - from, java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- lines and numbers

    private long incomplete(ByteBuf in, int start, long endNeeded) {
        needed = endNeeded - in.readerIndex();
        return INCOMPLETE;
    }

    /**
     * @return the index of the line's LF, or INCOMPLETE when no LF is there yet
     * @throws ProtocolException when the line is longer than {@code maxLength} bytes
     */
    private static int findLineEnd(ByteBuf in, int start, int maxLength, String what) {
        long limit = Math.min((long) in.writerIndex(), (long) start + maxLength);
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

    private static int afterLine(ByteBuf in, int lf) {
        return lf + 1;
    }

    private static void requireCrLf(ByteBuf in, int at) {
        if (in.getByte(at) != '\r' || in.getByte(at + 1) != '\n') {
            throw new ProtocolException("Protocol error: bulk string not terminated by CRLF");
        }
    }

    /**
     * Parses a signed decimal in {@code [from, lf)}, which must end with CR before the LF.
     *
     * @throws ProtocolException on anything but {@code -?[0-9]+\r} without overflow
     */
    private static long parseNumber(ByteBuf in, int from, int lf, String what) {
        int end = lf - 1;
        if (end < from || in.getByte(end) != '\r') {
            throw new ProtocolException("Protocol error: " + what + " (line not terminated by CRLF)");
        }
        boolean negative = from < end && in.getByte(from) == '-';
        int i = negative ? from + 1 : from;
        if (i >= end) {
            throw new ProtocolException("Protocol error: " + what);
        }
        // Accumulated negatively, so that Long.MIN_VALUE (a valid INCRBY result) parses.
        long value = 0;
        for (; i < end; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw new ProtocolException("Protocol error: " + what);
            }
            if (value < (Long.MIN_VALUE + (b - '0')) / 10) {
                throw new ProtocolException("Protocol error: " + what + " (overflow)");
            }
            value = value * 10 - (b - '0');
        }
        if (!negative && value == Long.MIN_VALUE) {
            throw new ProtocolException("Protocol error: " + what + " (overflow)");
        }
        return negative ? value : -value;
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
