package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static io.memfabric.store.protocol.RespLines.INCOMPLETE;
import static io.memfabric.store.protocol.RespLines.MAX_NUMBER_LINE;

/**
 * Netty decoder of commands (server side): arrays of bulk strings, or inline lines split on blanks, emitted as
 * {@link RespCommand}s; empty inline lines and empty arrays are skipped, as redis-server does. Modelled on Netty's
 * {@code RedisDecoder}: one {@link State} enum, one element at a time, and nothing read twice: a bulk string's bytes
 * are looked at only once all of them (and their CRLF) have arrived, so a 64 MiB value arriving in small reads is not
 * rescanned for every read.
 *
 * <p>Every length and the arity are checked against the {@link RespLimits} before anything is reserved, and a bulk
 * string is allocated only when its bytes are all here: a declared length costs nothing until it is backed by bytes
 * on the wire (Netty's {@code RedisArrayAggregator} trusts the header; STYLE A3). Errors use redis-server's wording
 * where there is one ({@code Protocol error: invalid bulk length}).
 *
 * <p>A decoder made {@link #RespCommandDecoder(RespLimits, boolean) unauthenticated} (the server requires
 * {@code AUTH}) applies redis-server's limits for clients that have not authenticated — at most
 * {@value #UNAUTHENTICATED_MAX_ARGUMENTS} arguments of at most {@value #UNAUTHENTICATED_MAX_BULK_BYTES} bytes, so that
 * a connection that has proved nothing can make the server hold no more than a small frame — and decodes one command
 * at a time, so that the handler's {@code AUTH} lifts them ({@link #authenticated()}) before the next command's
 * lengths are checked.
 *
 * <p>After a malformed frame it emits one {@link ProtocolException} through the pipeline and discards everything that
 * follows ({@link RespStreamDecoder}); the handler answers the error and closes the connection.
 *
 * <p>Thread safety: one instance per channel, used by its event loop (or by one thread at a time through
 * {@link #parseCommand}).
 */
public final class RespCommandDecoder extends RespStreamDecoder {
    /** What the decoder expects next. */
    private enum State {
        /** A frame: {@code *count} or an inline line. */
        FRAME,
        /** The {@code $length} line of the next argument. */
        BULK_LENGTH,
        /** An argument's bytes and their CRLF. */
        BULK_CONTENT
    }

    /** redis-server's limit of arguments for an unauthenticated client (networking.c, since 6.2.6 and 7.0). */
    public static final int UNAUTHENTICATED_MAX_ARGUMENTS = 10;
    /**
     * redis-server's limit of one argument for an unauthenticated client (networking.c): 16 KiB holds
     * {@code AUTH default <secret>} for any sensible secret, and caps what an idle, unauthenticated socket can make
     * the server hold at about 10 x 16 KiB, against the 64 MiB a full frame may declare.
     */
    public static final int UNAUTHENTICATED_MAX_BULK_BYTES = 16 * 1024;

    private final RespLimits limits;
    private boolean unauthenticated;
    private final RespNumberParser numbers = RespNumberParser.forProtocol();
    private State state = State.FRAME;
    /** The arguments of the frame being decoded; filled one by one. */
    private byte[][] args;
    private int argCount;
    private int bulkLength;
    /** Readable bytes the next element needs at least: below that, a read is not worth looking at. */
    private long needed;

    /** @param limits what a command may hold */
    public RespCommandDecoder(RespLimits limits) {
        this(limits, false);
    }

    /**
     * @param limits          what a command may hold
     * @param unauthenticated whether the connection starts unauthenticated: redis-server's smaller limits apply
     *                        until {@link #authenticated()}
     */
    public RespCommandDecoder(RespLimits limits, boolean unauthenticated) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.unauthenticated = unauthenticated;
    }

    /** The connection authenticated: the full limits apply from the next command on. */
    public void authenticated() {
        unauthenticated = false;
    }

    @Override
    boolean oneAtATime() {
        return unauthenticated;
    }

    @Override
    Object next(ByteBuf in) {
        return parseCommand(in);
    }

    @Override
    void dropPartial() {
        args = null;
    }

    /**
     * Decodes the next command. Outside a pipeline (tests, benchmarks) this is the whole decoder; after a
     * {@link ProtocolException} the instance is not used again.
     *
     * @param in bytes received so far; the reader index moves past every element decoded, also of a command that is
     *           not complete yet (the decoder keeps its state)
     * @return the command, or {@code null} when more bytes are needed
     * @throws ProtocolException on a malformed or oversized frame
     */
    public RespCommand parseCommand(ByteBuf in) {
        while (in.isReadable() && in.readableBytes() >= needed) {
            RespCommand command = switch (state) {
                case FRAME -> frame(in);
                case BULK_LENGTH -> bulkLength(in);
                case BULK_CONTENT -> bulkContent(in);
            };
            if (command != null) {
                return command;
            }
        }
        return null;
    }

    /** @return an inline command, or null (an empty frame, a frame begun, or more bytes needed) */
    private RespCommand frame(ByteBuf in) {
        int start = in.readerIndex();
        if (in.getByte(start) != '*') {
            int lf = RespLines.findLineEnd(in, start, limits.maxInlineBytes(), "inline command");
            if (lf == INCOMPLETE) {
                return moreBytes(in);
            }
            RespCommand inline = inline(in, start, RespLines.textEnd(in, start, lf));
            consume(in, lf + 1);
            return inline;
        }
        int lf = RespLines.findLineEnd(in, start, MAX_NUMBER_LINE, "multibulk length");
        if (lf == INCOMPLETE) {
            return moreBytes(in);
        }
        long count = numbers.parseLine(in, start + 1, lf, "invalid multibulk length");
        if (count > limits.maxArrayLength()) {
            throw new ProtocolException("Protocol error: invalid multibulk length: " + count + " (expected: <= "
                    + limits.maxArrayLength() + ")");
        }
        if (unauthenticated && count > UNAUTHENTICATED_MAX_ARGUMENTS) {
            throw new ProtocolException("Protocol error: unauthenticated multibulk length");
        }
        consume(in, lf + 1);
        // A count <= 0 (even -4294967295, which an int cast would turn into 1) is an empty frame: skipped.
        if (count > 0) {
            args = new byte[(int) count][];
            argCount = 0;
            state = State.BULK_LENGTH;
        }
        return null;
    }

    private RespCommand bulkLength(ByteBuf in) {
        int start = in.readerIndex();
        byte type = in.getByte(start);
        if (type != '$') {
            throw new ProtocolException("Protocol error: expected '$', got '" + RespLines.printable(type) + "'");
        }
        int lf = RespLines.findLineEnd(in, start, MAX_NUMBER_LINE, "bulk length");
        if (lf == INCOMPLETE) {
            return moreBytes(in);
        }
        long length = RespLines.requireLength(numbers.parseLine(in, start + 1, lf, "invalid bulk length"),
                "invalid bulk length", limits.maxBulkBytes());
        if (unauthenticated && length > UNAUTHENTICATED_MAX_BULK_BYTES) {
            throw new ProtocolException("Protocol error: unauthenticated bulk length");
        }
        consume(in, lf + 1);
        bulkLength = (int) length;
        needed = length + 2;
        state = State.BULK_CONTENT;
        return null;
    }

    private RespCommand bulkContent(ByteBuf in) {
        args[argCount++] = RespLines.readBulk(in, bulkLength);
        needed = 0;
        if (argCount < args.length) {
            state = State.BULK_LENGTH;
            return null;
        }
        state = State.FRAME;
        RespCommand command = new RespCommand(args);
        args = null;
        return command;
    }

    private void consume(ByteBuf in, int readerIndex) {
        in.readerIndex(readerIndex);
        needed = 0;
    }

    /** Remembers that nothing happens before one more byte arrives; returns null for the caller. */
    private RespCommand moreBytes(ByteBuf in) {
        needed = in.readableBytes() + 1L;
        return null;
    }

    /** @return the words of {@code in[start, end)}, split on blanks, or null for a blank line */
    private static RespCommand inline(ByteBuf in, int start, int end) {
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
}
