package io.memfabric.transport.tcp;

import java.lang.foreign.MemorySegment;

import static io.memfabric.transport.tcp.TcpProtocol.I16;
import static io.memfabric.transport.tcp.TcpProtocol.I32;
import static io.memfabric.transport.tcp.TcpProtocol.I64;

/**
 * The first frame in each direction of a connection, 24 bytes, little-endian:
 * <pre>
 *   0       4         6       8                12           16           24
 *   | magic | version | flags | rankOrStatus | targetRank | reserved   |
 *     i32     i16       i16     i32            i32          i64
 * </pre>
 * A client's Hello carries {@code fromRank} and {@code toRank} (the rank it wants); the listener's reply carries a
 * status (0, or a negative {@code ErrorCode} value) and its own rank. Setters return {@code this} so that a frame is
 * written as one chain; a frame must set every field (the buffer is reused).
 *
 * <p>Thread safety: a reusable view; one thread at a time.
 */
final class HelloFlyweight {
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
    static final int FLAGS_OFFSET = VERSION_OFFSET + Short.BYTES;
    /** fromRank in a hello, status in a reply. */
    static final int RANK_OR_STATUS_OFFSET = FLAGS_OFFSET + Short.BYTES;
    /** toRank in a hello, the listener's rank in a reply. */
    static final int TARGET_RANK_OFFSET = RANK_OR_STATUS_OFFSET + Integer.BYTES;
    static final int RESERVED_OFFSET = TARGET_RANK_OFFSET + Integer.BYTES;
    static final int LENGTH = RESERVED_OFFSET + Long.BYTES;

    private MemorySegment segment;
    private long offset;

    /**
     * Points this view at the frame that starts at {@code offset} of {@code segment}.
     *
     * @return this
     */
    HelloFlyweight wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /**
     * @param magic {@link TcpProtocol#MAGIC}
     * @return this
     */
    HelloFlyweight magic(int magic) {
        segment.set(I32, offset + MAGIC_OFFSET, magic);
        return this;
    }

    /**
     * @param version {@link TcpProtocol#VERSION}
     * @return this
     */
    HelloFlyweight version(short version) {
        segment.set(I16, offset + VERSION_OFFSET, version);
        return this;
    }

    /**
     * @param flags none are defined: 0
     * @return this
     */
    HelloFlyweight flags(short flags) {
        segment.set(I16, offset + FLAGS_OFFSET, flags);
        return this;
    }

    /**
     * @param rankOrStatus the client's rank in a hello; 0 or a negative {@code ErrorCode} value in a reply
     * @return this
     */
    HelloFlyweight rankOrStatus(int rankOrStatus) {
        segment.set(I32, offset + RANK_OR_STATUS_OFFSET, rankOrStatus);
        return this;
    }

    /**
     * @param targetRank the rank the client wants in a hello; the listener's rank in a reply
     * @return this
     */
    HelloFlyweight targetRank(int targetRank) {
        segment.set(I32, offset + TARGET_RANK_OFFSET, targetRank);
        return this;
    }

    /**
     * @param reserved 0
     * @return this
     */
    HelloFlyweight reserved(long reserved) {
        segment.set(I64, offset + RESERVED_OFFSET, reserved);
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
