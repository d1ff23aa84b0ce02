package io.memfabric.transport.tcp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The data-plane wire protocol, version {@value #VERSION}: little-endian, fixed-size frames, each drawn below with its
 * field offsets derived one from the previous (Aeron's {@code command/} flyweights). Errors travel as status ints
 * (0 or a negative {@code ErrorCode} value), never as Java exceptions.
 *
 * <pre>
 * Hello, client to server, first frame of a connection, 24 bytes:
 *   magic:i32 ("MFDP") | version:i16 | flags:i16 | fromRank:i32 | toRank:i32 | reserved:i64
 * HelloReply, server to client, 24 bytes:
 *   magic:i32 | version:i16 | flags:i16 | status:i32 | rank:i32 | reserved:i64
 * Request, 48 bytes (WRITE is followed by length payload bytes):
 *   version:i16 | type:i16 | space:i32 | requestId:i64 | address:i64 | length:i64
 *   | peerRank:i32 | peerSpace:i32 | peerAddress:i64                         (peer* only for PUSH)
 * Reply, 24 bytes (a successful READ is followed by length payload bytes):
 *   version:i16 | type:i16 | status:i32 | requestId:i64 | length:i64
 * </pre>
 * Replies come in request order on a connection; the request id lets a client pipeline requests and check each
 * reply. A malformed frame gets a {@code PROTOCOL_ERROR} reply and the connection is closed; a request whose range is
 * outside the target's slot or registered regions gets {@code ADDRESS_OUT_OF_RANGE} (a WRITE's payload, at most
 * {@link #MAX_REQUEST_BYTES}, is read and dropped first) and the connection goes on; other connections are
 * unaffected.
 */
final class TcpProtocol {
    static final int MAGIC = 0x5044464D; // "MFDP" in little-endian byte order
    static final short VERSION = 1;

    static final short TYPE_READ = 1;
    static final short TYPE_WRITE = 2;
    static final short TYPE_PUSH = 3;
    static final short TYPE_REPLY_FLAG = 0x80;

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

    /** The first frame in each direction. */
    static final class HelloFlyweight {
        static final int MAGIC_OFFSET = 0;
        static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
        static final int FLAGS_OFFSET = VERSION_OFFSET + Short.BYTES;
        /** fromRank in a hello, status in a reply. */
        static final int RANK_OR_STATUS_OFFSET = FLAGS_OFFSET + Short.BYTES;
        /** toRank in a hello, the server's rank in a reply. */
        static final int TARGET_RANK_OFFSET = RANK_OR_STATUS_OFFSET + Integer.BYTES;
        static final int RESERVED_OFFSET = TARGET_RANK_OFFSET + Integer.BYTES;
        static final int LENGTH = RESERVED_OFFSET + Long.BYTES;

        private MemorySegment segment;
        private long offset;

        HelloFlyweight wrap(MemorySegment segment, long offset) {
            this.segment = segment;
            this.offset = offset;
            return this;
        }

        HelloFlyweight set(int rankOrStatus, int targetRank) {
            segment.set(I32, offset + MAGIC_OFFSET, MAGIC);
            segment.set(I16, offset + VERSION_OFFSET, VERSION);
            segment.set(I16, offset + FLAGS_OFFSET, (short) 0);
            segment.set(I32, offset + RANK_OR_STATUS_OFFSET, rankOrStatus);
            segment.set(I32, offset + TARGET_RANK_OFFSET, targetRank);
            segment.set(I64, offset + RESERVED_OFFSET, 0L);
            return this;
        }

        int magic() {
            return segment.get(I32, offset + MAGIC_OFFSET);
        }

        short version() {
            return segment.get(I16, offset + VERSION_OFFSET);
        }

        int rankOrStatus() {
            return segment.get(I32, offset + RANK_OR_STATUS_OFFSET);
        }

        int targetRank() {
            return segment.get(I32, offset + TARGET_RANK_OFFSET);
        }
    }

    /** A READ, WRITE or PUSH request. */
    static final class RequestFlyweight {
        static final int VERSION_OFFSET = 0;
        static final int TYPE_OFFSET = VERSION_OFFSET + Short.BYTES;
        static final int SPACE_OFFSET = TYPE_OFFSET + Short.BYTES;
        static final int REQUEST_ID_OFFSET = SPACE_OFFSET + Integer.BYTES;
        static final int ADDRESS_OFFSET = REQUEST_ID_OFFSET + Long.BYTES;
        static final int LENGTH_OFFSET = ADDRESS_OFFSET + Long.BYTES;
        static final int PEER_RANK_OFFSET = LENGTH_OFFSET + Long.BYTES;
        static final int PEER_SPACE_OFFSET = PEER_RANK_OFFSET + Integer.BYTES;
        static final int PEER_ADDRESS_OFFSET = PEER_SPACE_OFFSET + Integer.BYTES;
        static final int LENGTH = PEER_ADDRESS_OFFSET + Long.BYTES;

        private MemorySegment segment;
        private long offset;

        RequestFlyweight wrap(MemorySegment segment, long offset) {
            this.segment = segment;
            this.offset = offset;
            return this;
        }

        RequestFlyweight set(short type, int space, long requestId, long address, long length, int peerRank,
                             int peerSpace, long peerAddress) {
            segment.set(I16, offset + VERSION_OFFSET, VERSION);
            segment.set(I16, offset + TYPE_OFFSET, type);
            segment.set(I32, offset + SPACE_OFFSET, space);
            segment.set(I64, offset + REQUEST_ID_OFFSET, requestId);
            segment.set(I64, offset + ADDRESS_OFFSET, address);
            segment.set(I64, offset + LENGTH_OFFSET, length);
            segment.set(I32, offset + PEER_RANK_OFFSET, peerRank);
            segment.set(I32, offset + PEER_SPACE_OFFSET, peerSpace);
            segment.set(I64, offset + PEER_ADDRESS_OFFSET, peerAddress);
            return this;
        }

        short version() {
            return segment.get(I16, offset + VERSION_OFFSET);
        }

        short type() {
            return segment.get(I16, offset + TYPE_OFFSET);
        }

        int space() {
            return segment.get(I32, offset + SPACE_OFFSET);
        }

        long requestId() {
            return segment.get(I64, offset + REQUEST_ID_OFFSET);
        }

        long address() {
            return segment.get(I64, offset + ADDRESS_OFFSET);
        }

        long length() {
            return segment.get(I64, offset + LENGTH_OFFSET);
        }

        int peerRank() {
            return segment.get(I32, offset + PEER_RANK_OFFSET);
        }

        int peerSpace() {
            return segment.get(I32, offset + PEER_SPACE_OFFSET);
        }

        long peerAddress() {
            return segment.get(I64, offset + PEER_ADDRESS_OFFSET);
        }
    }

    /** The reply to one request. */
    static final class ReplyFlyweight {
        static final int VERSION_OFFSET = 0;
        static final int TYPE_OFFSET = VERSION_OFFSET + Short.BYTES;
        static final int STATUS_OFFSET = TYPE_OFFSET + Short.BYTES;
        static final int REQUEST_ID_OFFSET = STATUS_OFFSET + Integer.BYTES;
        static final int LENGTH_OFFSET = REQUEST_ID_OFFSET + Long.BYTES;
        static final int LENGTH = LENGTH_OFFSET + Long.BYTES;

        private MemorySegment segment;
        private long offset;

        ReplyFlyweight wrap(MemorySegment segment, long offset) {
            this.segment = segment;
            this.offset = offset;
            return this;
        }

        ReplyFlyweight set(short requestType, int status, long requestId, long length) {
            segment.set(I16, offset + VERSION_OFFSET, VERSION);
            segment.set(I16, offset + TYPE_OFFSET, (short) (requestType | TYPE_REPLY_FLAG));
            segment.set(I32, offset + STATUS_OFFSET, status);
            segment.set(I64, offset + REQUEST_ID_OFFSET, requestId);
            segment.set(I64, offset + LENGTH_OFFSET, length);
            return this;
        }

        short version() {
            return segment.get(I16, offset + VERSION_OFFSET);
        }

        short type() {
            return segment.get(I16, offset + TYPE_OFFSET);
        }

        int status() {
            return segment.get(I32, offset + STATUS_OFFSET);
        }

        long requestId() {
            return segment.get(I64, offset + REQUEST_ID_OFFSET);
        }

        long length() {
            return segment.get(I64, offset + LENGTH_OFFSET);
        }
    }
}
