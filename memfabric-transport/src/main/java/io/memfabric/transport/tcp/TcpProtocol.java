package io.memfabric.transport.tcp;

import io.memfabric.transport.Direction;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The data-plane wire protocol, version {@value #VERSION}: little-endian, fixed-size frames, each a flyweight whose
 * field offsets are derived one from the previous (Aeron's {@code command/} flyweights). Errors travel as status ints
 * (0 or a negative {@code ErrorCode} value), never as Java exceptions.
 *
 * <pre>
 * Hello, client to server, first frame of a connection, 24 bytes ({@link HelloFlyweight}):
 *   magic:i32 ("MFDP") | version:i16 | flags:i16 | fromRank:i32 | toRank:i32 | reserved:i64
 * HelloReply, server to client, 24 bytes:
 *   magic:i32 | version:i16 | flags:i16 | status:i32 | rank:i32 | reserved:i64
 * Request, 48 bytes ({@link RequestFlyweight}; a WRITE is followed by length payload bytes):
 *   version:i16 | type:i16 | space:i32 | requestId:i64 | address:i64                 (the same in every type)
 *   | length:i64 | peerRank:i32 | peerSpace:i32 | peerAddress:i64                    (READ, WRITE, PUSH)
 *   | opcode:i16 | width:i16 | reserved:i32 | operand:i64 | operand2:i64             (ATOMIC, reserved)
 * Reply, 24 bytes ({@link ReplyFlyweight}; a successful READ is followed by length payload bytes, an ATOMIC by 8):
 *   version:i16 | type:i16 | status:i32 | requestId:i64 | length:i64
 * </pre>
 * Request types: {@link #TYPE_READ}, {@link #TYPE_WRITE}, {@link #TYPE_PUSH} (a third-party copy),
 * {@link #TYPE_DESCRIBE} (the listener's description), and {@link #TYPE_ATOMIC}, reserved for the SHM API's remote
 * atomics ({@link AtomicRequestFlyweight} has the layout and the rules); a reply's type is its request's with {@link
 * #TYPE_REPLY_FLAG}. A transfer's {@link Direction} maps onto the request types here ({@link #requestType}, {@link
 * #direction}); the numbers on the wire never change.
 *
 * <p>Replies come in request order on a connection; the request id lets a client pipeline requests and check each
 * reply. A malformed frame gets a {@code PROTOCOL_ERROR} reply and the connection is closed; a request whose range is
 * outside the target's slot or registered regions gets {@code ADDRESS_OUT_OF_RANGE} (a WRITE's payload, at most
 * {@link #MAX_REQUEST_BYTES}, is read and dropped first) and the connection goes on; other connections are
 * unaffected.
 *
 * <p>Thread safety: constants and pure functions.
 */
final class TcpProtocol {
    static final int MAGIC = 0x5044464D; // "MFDP" in little-endian byte order
    static final short VERSION = 1;

    /** The target's memory to the client: {@link Direction#READ}. */
    static final short TYPE_READ = 1;
    /** The client's memory (the payload that follows) to the target: {@link Direction#WRITE}. */
    static final short TYPE_WRITE = 2;
    /** The target's memory to a third rank, which the target writes itself: {@link Direction#COPY}. */
    static final short TYPE_PUSH = 3;
    /**
     * Reserved: a remote atomic operation on a 4- or 8-byte word of the target's memory
     * ({@link AtomicRequestFlyweight}). A listener of this version answers it {@code PROTOCOL_ERROR}, as any unknown
     * type. Types 5..127 are free; a new one needs a new {@link #VERSION} only if old listeners must not see it.
     */
    static final short TYPE_ATOMIC = 4;
    /**
     * The listener's description (opaque bytes its owner set, e.g. a transfer engine's record) to the client: the
     * request carries no payload and names no memory; the reply's payload is the description, at most
     * {@link #MAX_DESCRIPTION_BYTES}. A handshake for peers that know only each other's address.
     */
    static final short TYPE_DESCRIBE = 5;
    static final short TYPE_REPLY_FLAG = 0x80;
    /** Largest description a listener serves (and a client accepts). */
    static final int MAX_DESCRIPTION_BYTES = 8 << 10;
    /**
     * The hello's target rank of a client that does not know the listener's rank (peers numbered by the client, not
     * by a fabric): the listener accepts it whatever its own rank.
     */
    static final int ANY_RANK = -1;

    /** Largest payload of one request: longer transfers are split by the client (and stay under ByteBuffer limits). */
    static final long MAX_REQUEST_BYTES = 1L << 30;
    /**
     * Payloads up to this size travel through the connection's own buffers with their header (one system call per
     * frame instead of two; the extra copy of at most 16 KiB costs less than the call). Larger payloads go straight
     * between the socket and the slot or the caller's segment.
     */
    static final int SMALL_PAYLOAD_BYTES = 16 << 10;

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TcpProtocol() {
    }

    /** @return the request type that carries a transfer in {@code direction}: READ, WRITE, or PUSH for COPY. */
    static short requestType(Direction direction) {
        return switch (direction) {
            case READ -> TYPE_READ;
            case WRITE -> TYPE_WRITE;
            case COPY -> TYPE_PUSH;
        };
    }

    /** @return the direction of a transfer's request type, or {@code null} for any other type (ATOMIC, unknown). */
    static Direction direction(short type) {
        return switch (type) {
            case TYPE_READ -> Direction.READ;
            case TYPE_WRITE -> Direction.WRITE;
            case TYPE_PUSH -> Direction.COPY;
            default -> null;
        };
    }

    /** @return the type of the reply to a request of {@code requestType}. */
    static short replyType(short requestType) {
        return (short) (requestType | TYPE_REPLY_FLAG);
    }

    /** @return the name of a request type in messages: READ, WRITE, PUSH, ATOMIC, or {@code type=<n>}. */
    static String typeName(short type) {
        return switch (type) {
            case TYPE_READ -> "READ";
            case TYPE_WRITE -> "WRITE";
            case TYPE_PUSH -> "PUSH";
            case TYPE_ATOMIC -> "ATOMIC";
            case TYPE_DESCRIBE -> "DESCRIBE";
            default -> "type=" + type;
        };
    }
}
