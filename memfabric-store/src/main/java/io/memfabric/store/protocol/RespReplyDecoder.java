package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static io.memfabric.store.protocol.RespLines.INCOMPLETE;
import static io.memfabric.store.protocol.RespLines.MAX_NUMBER_LINE;

/**
 * Netty decoder of replies (client side): any RESP2 value, emitted as a {@link RespMessage}. Modelled on Netty's
 * {@code RedisDecoder} (one {@link State} enum, one element at a time) with the aggregation of arrays built in, and
 * with what Netty's {@code RedisArrayAggregator} lacks (STYLE A3): array lengths, bulk lengths and nesting depth are
 * checked against the {@link RespLimits} first, and an array's list grows with the elements that arrive, never to
 * the length its header declares.
 *
 * <p>A malformed reply is passed on as one {@link ProtocolException} and the rest of the stream is discarded: the
 * client then fails its pending calls and reconnects, because it can no longer match replies to requests.
 *
 * <p>Thread safety: one instance per channel, used by its event loop (or by one thread at a time through
 * {@link #parseReply}).
 */
public final class RespReplyDecoder extends RespStreamDecoder {
    /** What the decoder expects next. */
    private enum State {
        /** A value's type byte and header line. */
        VALUE,
        /** A bulk string's bytes and their CRLF. */
        BULK_CONTENT
    }

    /** Elements reserved up front for an array, whatever its header says; the list grows as elements arrive. */
    private static final int INITIAL_ELEMENTS = 16;

    private final RespLimits limits;
    private final RespNumberParser numbers = RespNumberParser.forProtocol();
    /** The arrays being filled, innermost first. */
    private final ArrayDeque<OpenArray> open = new ArrayDeque<>();
    private State state = State.VALUE;
    private int bulkLength;
    /** Readable bytes the next element needs at least: below that, a read is not worth looking at. */
    private long needed;

    /** An array whose elements are still arriving. */
    private record OpenArray(List<RespMessage> elements, long count) {
    }

    /** @param limits what a reply may hold */
    public RespReplyDecoder(RespLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    Object next(ByteBuf in) {
        return parseReply(in);
    }

    @Override
    void dropPartial() {
        open.clear();
    }

    /**
     * Decodes the next reply. Outside a pipeline (tests, benchmarks) this is the whole decoder; after a
     * {@link ProtocolException} the instance is not used again.
     *
     * @param in bytes received so far; the reader index moves past every element decoded, also of a reply that is not
     *           complete yet (the decoder keeps its state)
     * @return the reply, or {@code null} when more bytes are needed
     * @throws ProtocolException on a malformed or oversized reply
     */
    public RespMessage parseReply(ByteBuf in) {
        while (in.isReadable() && in.readableBytes() >= needed) {
            RespMessage value = state == State.VALUE ? value(in) : bulkContent(in);
            if (value != null) {
                RespMessage complete = addToOpenArrays(value);
                if (complete != null) {
                    return complete;
                }
            }
        }
        return null;
    }

    /** @return a complete value, or null (an array begun, a bulk header read, or more bytes needed) */
    private RespMessage value(ByteBuf in) {
        int start = in.readerIndex();
        byte type = in.getByte(start);
        int max = type == '+' || type == '-' ? limits.maxInlineBytes() : MAX_NUMBER_LINE;
        int lf = RespLines.findLineEnd(in, start, max, "reply line");
        if (lf == INCOMPLETE) {
            needed = in.readableBytes() + 1L;
            return null;
        }
        switch (type) {
            case '+' -> {
                String text = text(in, start + 1, RespLines.textEnd(in, start, lf));
                consume(in, lf + 1);
                return new RespMessage.SimpleString(text);
            }
            case '-' -> {
                String text = text(in, start + 1, RespLines.textEnd(in, start, lf));
                consume(in, lf + 1);
                return new RespMessage.Error(text);
            }
            case ':' -> {
                long value = numbers.parseLine(in, start + 1, lf, "invalid integer");
                consume(in, lf + 1);
                return new RespMessage.Integer(value);
            }
            case '$' -> {
                return bulkLength(in, start, lf);
            }
            case '*' -> {
                return arrayLength(in, start, lf);
            }
            default -> throw new ProtocolException("Protocol error: unknown reply type '"
                    + RespLines.printable(type) + "'");
        }
    }

    private RespMessage bulkLength(ByteBuf in, int start, int lf) {
        long length = numbers.parseLine(in, start + 1, lf, "invalid bulk length");
        consume(in, lf + 1);
        if (length == -1) {
            return RespMessage.Bulk.NULL;
        }
        bulkLength = (int) RespLines.requireLength(length, "invalid bulk length", limits.maxBulkBytes());
        needed = length + 2;
        state = State.BULK_CONTENT;
        return null;
    }

    private RespMessage arrayLength(ByteBuf in, int start, int lf) {
        long count = numbers.parseLine(in, start + 1, lf, "invalid multibulk length");
        consume(in, lf + 1);
        if (count == -1) {
            return RespMessage.Array.NULL;
        }
        RespLines.requireLength(count, "invalid multibulk length", limits.maxArrayLength());
        if (count == 0) {
            return new RespMessage.Array(List.of());
        }
        // This array's depth is one more than the arrays it is in.
        if (open.size() + 1 >= limits.maxDepth()) {
            throw new ProtocolException("Protocol error: arrays nested deeper than " + limits.maxDepth());
        }
        open.push(new OpenArray(new ArrayList<>((int) Math.min(count, INITIAL_ELEMENTS)), count));
        return null;
    }

    private RespMessage bulkContent(ByteBuf in) {
        RespMessage.Bulk bulk = new RespMessage.Bulk(RespLines.readBulk(in, bulkLength));
        needed = 0;
        state = State.VALUE;
        return bulk;
    }

    /** @return {@code value} when it is a whole reply, the outermost array it completes, or null */
    private RespMessage addToOpenArrays(RespMessage value) {
        RespMessage done = value;
        while (!open.isEmpty()) {
            OpenArray innermost = open.peek();
            innermost.elements().add(done);
            if (innermost.elements().size() < innermost.count()) {
                return null;
            }
            open.pop();
            done = new RespMessage.Array(List.copyOf(innermost.elements()));
        }
        return done;
    }

    private void consume(ByteBuf in, int readerIndex) {
        in.readerIndex(readerIndex);
        needed = 0;
    }

    private static String text(ByteBuf in, int from, int to) {
        return in.toString(from, to - from, StandardCharsets.UTF_8);
    }
}
