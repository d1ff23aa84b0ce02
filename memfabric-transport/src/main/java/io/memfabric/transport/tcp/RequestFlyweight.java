package io.memfabric.transport.tcp;

import java.lang.foreign.MemorySegment;

import static io.memfabric.transport.tcp.TcpProtocol.I16;
import static io.memfabric.transport.tcp.TcpProtocol.I32;
import static io.memfabric.transport.tcp.TcpProtocol.I64;

/**
 * A READ, WRITE or PUSH request, 48 bytes, little-endian (a WRITE is followed by {@code length} payload bytes):
 * <pre>
 *   0         2      4       8           16        24       32         36          40            48
 *   | version | type | space | requestId | address | length | peerRank | peerSpace | peerAddress |
 *     i16       i16    i32     i64         i64       i64      i32        i32         i64
 * </pre>
 * The first 24 bytes are the same in every request type; an ATOMIC request lays its own fields over bytes 24..47
 * ({@link AtomicRequestFlyweight}). The {@code peer*} fields name a PUSH's destination; other requests send
 * {@code -1, 0, 0}. Setters return {@code this} so that a frame is written as one chain (Aeron's command flyweights);
 * a frame must set every field, because the send buffer is reused.
 *
 * <p>Thread safety: a reusable view; one thread at a time.
 */
final class RequestFlyweight {
    static final int VERSION_OFFSET = 0;
    static final int TYPE_OFFSET = VERSION_OFFSET + Short.BYTES;
    static final int SPACE_OFFSET = TYPE_OFFSET + Short.BYTES;
    static final int REQUEST_ID_OFFSET = SPACE_OFFSET + Integer.BYTES;
    static final int ADDRESS_OFFSET = REQUEST_ID_OFFSET + Long.BYTES;
    /** Where the fields of one request type start: the bytes before are the same in every request. */
    static final int TYPE_FIELDS_OFFSET = ADDRESS_OFFSET + Long.BYTES;
    static final int LENGTH_OFFSET = TYPE_FIELDS_OFFSET;
    static final int PEER_RANK_OFFSET = LENGTH_OFFSET + Long.BYTES;
    static final int PEER_SPACE_OFFSET = PEER_RANK_OFFSET + Integer.BYTES;
    static final int PEER_ADDRESS_OFFSET = PEER_SPACE_OFFSET + Integer.BYTES;
    static final int LENGTH = PEER_ADDRESS_OFFSET + Long.BYTES;

    private MemorySegment segment;
    private long offset;

    /**
     * Points this view at the frame that starts at {@code offset} of {@code segment}.
     *
     * @return this
     */
    RequestFlyweight wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /**
     * @param version {@link TcpProtocol#VERSION}
     * @return this
     */
    RequestFlyweight version(short version) {
        segment.set(I16, offset + VERSION_OFFSET, version);
        return this;
    }

    /**
     * @param type one of {@code TcpProtocol.TYPE_*} (not the reply flag)
     * @return this
     */
    RequestFlyweight type(short type) {
        segment.set(I16, offset + TYPE_OFFSET, type);
        return this;
    }

    /**
     * @param space the target's memory, {@code Space.wireValue()}
     * @return this
     */
    RequestFlyweight space(int space) {
        segment.set(I32, offset + SPACE_OFFSET, space);
        return this;
    }

    /**
     * @param requestId the id its reply will carry: consecutive per connection
     * @return this
     */
    RequestFlyweight requestId(long requestId) {
        segment.set(I64, offset + REQUEST_ID_OFFSET, requestId);
        return this;
    }

    /**
     * @param address an offset in the target's slot, or an address in its process for a registered region
     * @return this
     */
    RequestFlyweight address(long address) {
        segment.set(I64, offset + ADDRESS_OFFSET, address);
        return this;
    }

    /**
     * @param length bytes to move, {@code 1 .. TcpProtocol.MAX_REQUEST_BYTES}
     * @return this
     */
    RequestFlyweight length(long length) {
        segment.set(I64, offset + LENGTH_OFFSET, length);
        return this;
    }

    /**
     * @param peerRank a PUSH's destination rank; -1 otherwise
     * @return this
     */
    RequestFlyweight peerRank(int peerRank) {
        segment.set(I32, offset + PEER_RANK_OFFSET, peerRank);
        return this;
    }

    /**
     * @param peerSpace a PUSH's destination space, {@code Space.wireValue()}; 0 otherwise
     * @return this
     */
    RequestFlyweight peerSpace(int peerSpace) {
        segment.set(I32, offset + PEER_SPACE_OFFSET, peerSpace);
        return this;
    }

    /**
     * @param peerAddress a PUSH's destination offset; 0 otherwise
     * @return this
     */
    RequestFlyweight peerAddress(long peerAddress) {
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
