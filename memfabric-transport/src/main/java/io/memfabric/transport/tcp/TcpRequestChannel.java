package io.memfabric.transport.tcp;

import io.memfabric.common.CloseHelper;
import io.memfabric.transport.Direction;
import io.memfabric.transport.Space;
import io.memfabric.transport.TransferOps;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * One client connection to a peer's data listener, which sends requests and reads their replies (the listener's end
 * is a {@link TcpListenerChannel}). A thread checks it out of its {@link TcpPeerLink}, sends one request (or a
 * pipelined run) and reads the reply itself (no hand-off to an I/O thread: the reply wakes the thread that waits for
 * it), and checks it back in.
 *
 * <p>Copies ({@link FramedChannel#writeFrame}, {@link FramedChannel#readPayload}): a WRITE payload of at most
 * {@link TcpProtocol#SMALL_PAYLOAD_BYTES} is copied into the send buffer behind its header (one system call); a larger
 * one is written from the caller's segment with a gathering write. A READ payload goes straight from the socket into
 * the caller's segment, but for small replies, which are read with their header and copied. Views of the caller's
 * segment ({@link SegmentWindows}) are kept while the same segment comes back (0 allocations per copy in steady
 * state); a new segment costs one view.
 *
 * <p>Thread safety: one thread at a time; the pool's check-out flag orders the hand-over.
 */
final class TcpRequestChannel implements AutoCloseable {
    private final RequestFlyweight request = new RequestFlyweight();
    private final ReplyFlyweight reply = new ReplyFlyweight();
    /** Most requests in flight on one connection when pipelining. */
    static final int PIPELINE_DEPTH = 64;
    /**
     * Most reply bytes outstanding when pipelining: well below what the socket buffers of both ends hold at their
     * smallest (loopback starts at 128 KiB of receive buffer), so that the listener never blocks writing a reply
     * while this thread is still writing requests.
     */
    static final long PIPELINE_REPLY_BYTES = 32 << 10;

    private FramedChannel channel;
    private long nextRequestId;
    private int failedStatus;
    /** Views of the caller's segment of the last large payload. */
    private final SegmentWindows callerViews = new SegmentWindows();

    boolean isConnected() {
        return channel != null;
    }

    /**
     * Connects and shakes hands.
     *
     * @throws IOException when the peer cannot be reached, refuses, or answers the handshake wrongly
     */
    void connect(InetSocketAddress address, int fromRank, int toRank, long spinNs, long timeoutNs)
            throws IOException {
        close();
        long deadline = System.nanoTime() + timeoutNs;
        SocketChannel socket = SocketChannel.open();
        FramedChannel framed = null;
        try {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.socket().connect(address, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutNs / 1_000_000)));
            framed = new FramedChannel(socket, TcpOptions.CLIENT_RECEIVE_BYTES, TcpOptions.SEND_BYTES, spinNs);
            new HelloFlyweight().wrap(framed.send, 0).magic(TcpProtocol.MAGIC).version(TcpProtocol.VERSION)
                    .flags((short) 0).rankOrStatus(fromRank).targetRank(toRank).reserved(0);
            framed.writeFully(framed.sendSlice(HelloFlyweight.LENGTH), deadline);
            if (!framed.fill(HelloFlyweight.LENGTH, HelloFlyweight.LENGTH, deadline)) {
                throw new EOFException("closed during the handshake");
            }
            HelloFlyweight hello = new HelloFlyweight().wrap(framed.recv, framed.rpos);
            if (hello.magic() != TcpProtocol.MAGIC || hello.version() != TcpProtocol.VERSION) {
                throw new ProtocolIOException("handshake: magic=0x" + Integer.toHexString(hello.magic())
                        + " version=" + hello.version() + " (expected: 0x" + Integer.toHexString(TcpProtocol.MAGIC)
                        + ", " + TcpProtocol.VERSION + ")");
            }
            if (hello.rankOrStatus() != 0 || (hello.targetRank() != toRank && toRank != TcpProtocol.ANY_RANK)) {
                throw new ProtocolIOException("handshake refused: status=" + hello.rankOrStatus()
                        + ", listener is rank " + hello.targetRank() + " (expected: rank " + toRank + ")");
            }
            framed.rpos += HelloFlyweight.LENGTH;
            channel = framed;
        } catch (IOException | RuntimeException e) {
            if (framed != null) {
                framed.close();
            } else {
                CloseHelper.quietClose(socket);
            }
            throw e;
        }
    }

    /**
     * Sends a WRITE and waits for its reply.
     *
     * @return the reply status: 0 or a negative {@code ErrorCode} value
     * @throws IOException when the connection fails or the deadline passes; the connection is then unusable
     */
    int write(MemorySegment local, long localOffset, Space space, long address, long length, long deadline)
            throws IOException {
        long id = ++nextRequestId;
        sendWrite(id, local, localOffset, space, address, length, deadline);
        return awaitReply(TcpProtocol.TYPE_WRITE, id, 0, deadline);
    }

    /**
     * Sends a READ, waits for its reply and stores its payload.
     *
     * @return the reply status
     * @throws IOException as for {@link #write}
     */
    int read(Space space, long address, MemorySegment local, long localOffset, long length, long deadline)
            throws IOException {
        long id = ++nextRequestId;
        sendRead(id, space, address, length, deadline);
        return receiveRead(id, local, localOffset, length, deadline);
    }

    /**
     * Runs elements {@code [from, to)} of {@code ops} pipelined: requests are sent back to back, up to
     * {@link #PIPELINE_DEPTH} in flight and {@link #PIPELINE_REPLY_BYTES} of replies outstanding, and their replies
     * are read in order, each checked against its request id. WRITEs of any size stream (their replies are 24
     * bytes); a READ of more than {@link TcpProtocol#SMALL_PAYLOAD_BYTES} goes alone. The reply bound keeps both ends
     * from blocking on each other: the listener never has more reply bytes to write than the socket buffers hold
     * while this thread is still writing payload. Every element runs even after one failed; each element's status is
     * recorded in {@code ops}.
     *
     * @return -1 when every element succeeded, else the index of the first that failed ({@link #failedStatus()}
     *         holds its status)
     * @throws IOException as for {@link #write}; then the elements whose replies were not read have unknown outcomes
     */
    int pipeline(TransferOps ops, int from, int to, long timeoutNs) throws IOException {
        long firstId = nextRequestId + 1;
        int sent = from;
        int received = from;
        long outstanding = 0;
        int failedAt = -1;
        while (received < to) {
            while (sent < to) {
                long length = ops.length(sent);
                boolean largeRead = ops.direction(sent) == Direction.READ && length > TcpProtocol.SMALL_PAYLOAD_BYTES;
                long replyBytes = replyBytes(ops, sent);
                if (sent > received && (largeRead || sent - received >= PIPELINE_DEPTH
                        || outstanding + replyBytes > PIPELINE_REPLY_BYTES)) {
                    break;
                }
                long id = ++nextRequestId;
                long deadline = System.nanoTime() + timeoutNs;
                if (ops.direction(sent) == Direction.WRITE) {
                    sendWrite(id, ops.local(sent), ops.localOffset(sent), ops.space(sent), ops.remote(sent), length,
                            deadline);
                } else {
                    sendRead(id, ops.space(sent), ops.remote(sent), length, deadline);
                }
                outstanding += replyBytes;
                sent++;
                if (largeRead) {
                    break;
                }
            }
            long id = firstId + (received - from);
            long deadline = System.nanoTime() + timeoutNs;
            channel.sizeClass(ops.length(received));
            int status = ops.direction(received) == Direction.WRITE
                    ? awaitReply(TcpProtocol.TYPE_WRITE, id, 0, deadline)
                    : receiveRead(id, ops.local(received), ops.localOffset(received), ops.length(received), deadline);
            outstanding -= replyBytes(ops, received);
            ops.status(received, status);
            if (status != 0 && failedAt < 0) {
                failedAt = received;
                failedStatus = status;
            }
            received++;
        }
        return failedAt;
    }

    /** @return the status of the element {@link #pipeline} reported as failed. */
    int failedStatus() {
        return failedStatus;
    }

    private static long replyBytes(TransferOps ops, int i) {
        return ReplyFlyweight.LENGTH + (ops.direction(i) == Direction.READ ? ops.length(i) : 0);
    }

    private void sendWrite(long id, MemorySegment local, long localOffset, Space space, long address, long length,
                           long deadline) throws IOException {
        channel.sizeClass(length);
        request(TcpProtocol.TYPE_WRITE, space, id, address, length);
        channel.writeFrame(RequestFlyweight.LENGTH, local, localOffset, length, callerViews, deadline);
    }

    private void sendRead(long id, Space space, long address, long length, long deadline) throws IOException {
        channel.sizeClass(length);
        request(TcpProtocol.TYPE_READ, space, id, address, length);
        channel.writeFully(channel.sendSlice(RequestFlyweight.LENGTH), deadline);
    }

    private int receiveRead(long id, MemorySegment local, long localOffset, long length, long deadline)
            throws IOException {
        boolean small = length <= TcpProtocol.SMALL_PAYLOAD_BYTES;
        // For a large payload read only the header here, so that the payload goes straight to the caller's segment.
        if (!channel.fill(ReplyFlyweight.LENGTH, small ? (int) channel.recv.byteSize() : ReplyFlyweight.LENGTH,
                deadline)) {
            throw new EOFException("connection closed by the peer before the reply");
        }
        int status = checkReply(TcpProtocol.TYPE_READ, id, length);
        if (status != 0) {
            return status;
        }
        channel.readPayload(local, localOffset, length, callerViews, deadline);
        return 0;
    }

    /**
     * Sends a third-party PUSH and waits for the source rank to finish it.
     *
     * @return the reply status
     * @throws IOException as for {@link #write}
     */
    int push(Space srcSpace, long srcOffset, long length, int dstRank, Space dstSpace, long dstOffset, long deadline)
            throws IOException {
        long id = ++nextRequestId;
        channel.sizeClass(length);
        request(TcpProtocol.TYPE_PUSH, srcSpace, id, srcOffset, length).peerRank(dstRank)
                .peerSpace(dstSpace.wireValue()).peerAddress(dstOffset);
        channel.writeFully(channel.sendSlice(RequestFlyweight.LENGTH), deadline);
        return awaitReply(TcpProtocol.TYPE_PUSH, id, 0, deadline);
    }

    /** Writes a request header into the send buffer; the {@code peer*} fields are those of a READ or WRITE. */
    /**
     * Asks the listener for its description (a handshake with a listener known only by its address).
     *
     * @return the description
     * @throws IOException when the connection fails, the listener has none, or the answer is malformed
     */
    byte[] describe(long deadline) throws IOException {
        long id = ++nextRequestId;
        request(TcpProtocol.TYPE_DESCRIBE, Space.HOST_SLOT, id, 0, 0);
        channel.writeFully(channel.sendSlice(RequestFlyweight.LENGTH), deadline);
        if (!channel.fill(ReplyFlyweight.LENGTH, ReplyFlyweight.LENGTH, deadline)) {
            throw new EOFException("connection closed by the peer before the description");
        }
        reply.wrap(channel.recv, channel.rpos);
        long length = reply.length();
        if (reply.version() != TcpProtocol.VERSION || reply.type() != TcpProtocol.replyType(TcpProtocol.TYPE_DESCRIBE)
                || reply.requestId() != id || length < 0 || length > TcpProtocol.MAX_DESCRIPTION_BYTES) {
            throw new ProtocolIOException("describe reply type=" + reply.type() + " requestId=" + reply.requestId()
                    + " length=" + length + " (expected: a DESCRIBE reply to " + id + " of at most "
                    + TcpProtocol.MAX_DESCRIPTION_BYTES + " bytes)");
        }
        int status = reply.status();
        channel.rpos += ReplyFlyweight.LENGTH;
        if (status != 0) {
            throw new IOException("the listener has no description (status " + status + ")");
        }
        if (!channel.fill((int) length, (int) length, deadline)) {
            throw new EOFException("connection closed by the peer within the description");
        }
        byte[] description = new byte[(int) length];
        MemorySegment.copy(channel.recv, channel.rpos, MemorySegment.ofArray(description), 0, length);
        channel.rpos += (int) length;
        return description;
    }

    private RequestFlyweight request(short type, Space space, long id, long address, long length) {
        return request.wrap(channel.send, 0).version(TcpProtocol.VERSION).type(type).space(space.wireValue())
                .requestId(id).address(address).length(length).peerRank(-1).peerSpace(0).peerAddress(0);
    }

    private int awaitReply(short type, long id, long payloadLength, long deadline) throws IOException {
        if (!channel.fill(ReplyFlyweight.LENGTH, ReplyFlyweight.LENGTH, deadline)) {
            throw new EOFException("connection closed by the peer before the reply");
        }
        return checkReply(type, id, payloadLength);
    }

    private int checkReply(short type, long id, long payloadLength) throws IOException {
        reply.wrap(channel.recv, channel.rpos);
        short version = reply.version();
        short replyType = reply.type();
        int status = reply.status();
        long replyId = reply.requestId();
        long length = reply.length();
        if (version != TcpProtocol.VERSION || replyType != TcpProtocol.replyType(type)
                || replyId != id || (status == 0 && length != payloadLength) || status > 0) {
            throw new ProtocolIOException("reply version=" + version + " type=" + replyType + " requestId=" + replyId
                    + " status=" + status + " length=" + length + " (expected: version " + TcpProtocol.VERSION
                    + ", type " + TcpProtocol.replyType(type) + ", requestId " + id + ", length "
                    + payloadLength + ")");
        }
        channel.rpos += ReplyFlyweight.LENGTH;
        return status;
    }

    @Override
    public void close() {
        // Forgets the views of the last caller segment, so that they do not keep it reachable.
        callerViews.forget();
        if (channel != null) {
            FramedChannel c = channel;
            channel = null;
            c.close();
        }
    }

    /** A reply or handshake that does not follow the protocol: the connection cannot be used any more. */
    static final class ProtocolIOException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolIOException(String message) {
            super(message);
        }
    }
}
