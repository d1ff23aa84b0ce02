package io.memfabric.transport.tcp;

import java.lang.foreign.MemorySegment;

import static io.memfabric.transport.tcp.TcpProtocol.I16;
import static io.memfabric.transport.tcp.TcpProtocol.I32;
import static io.memfabric.transport.tcp.TcpProtocol.I64;

/**
 * The reply to one request, 24 bytes, little-endian, followed by {@code length} payload bytes (a successful READ's
 * data, an ATOMIC's old value):
 * <pre>
 *   0         2      4        8           16       24
 *   | version | type | status | requestId | length |
 *     i16       i16    i32      i64         i64
 * </pre>
 * {@code type} is the request's type with {@link TcpProtocol#TYPE_REPLY_FLAG} set ({@link TcpProtocol#replyType});
 * {@code status} is 0 or a negative {@code ErrorCode} value. Setters return {@code this}; a frame must set every field.
 *
 * <p>Thread safety: a reusable view; one thread at a time.
 */
final class ReplyFlyweight {
    static final int VERSION_OFFSET = 0;
    static final int TYPE_OFFSET = VERSION_OFFSET + Short.BYTES;
    static final int STATUS_OFFSET = TYPE_OFFSET + Short.BYTES;
    static final int REQUEST_ID_OFFSET = STATUS_OFFSET + Integer.BYTES;
    static final int LENGTH_OFFSET = REQUEST_ID_OFFSET + Long.BYTES;
    static final int LENGTH = LENGTH_OFFSET + Long.BYTES;

    private MemorySegment segment;
    private long offset;

    /**
     * Points this view at the frame that starts at {@code offset} of {@code segment}.
     *
     * @return this
     */
    ReplyFlyweight wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /**
     * @param version {@link TcpProtocol#VERSION}
     * @return this
     */
    ReplyFlyweight version(short version) {
        segment.set(I16, offset + VERSION_OFFSET, version);
        return this;
    }

    /**
     * @param type the request's type with the reply flag, {@link TcpProtocol#replyType}
     * @return this
     */
    ReplyFlyweight type(short type) {
        segment.set(I16, offset + TYPE_OFFSET, type);
        return this;
    }

    /**
     * @param status 0, or a negative {@code ErrorCode} value (then no payload follows)
     * @return this
     */
    ReplyFlyweight status(int status) {
        segment.set(I32, offset + STATUS_OFFSET, status);
        return this;
    }

    /**
     * @param requestId the id of the request answered
     * @return this
     */
    ReplyFlyweight requestId(long requestId) {
        segment.set(I64, offset + REQUEST_ID_OFFSET, requestId);
        return this;
    }

    /**
     * @param length payload bytes after this header
     * @return this
     */
    ReplyFlyweight length(long length) {
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
