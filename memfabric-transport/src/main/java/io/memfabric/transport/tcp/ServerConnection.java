package io.memfabric.transport.tcp;

import io.memfabric.error.ErrorCode;
import io.memfabric.memory.AddressSpace;
import io.memfabric.transport.RegisteredRegions;
import io.memfabric.transport.Space;
import io.memfabric.transport.tcp.TcpProtocol.HelloFlyweight;
import io.memfabric.transport.tcp.TcpProtocol.ReplyFlyweight;
import io.memfabric.transport.tcp.TcpProtocol.RequestFlyweight;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Serves one accepted connection on its own thread: handshake, then requests in order until the peer closes the
 * connection, sends a malformed frame, or the listener stops. Every (space, address, length) is checked with
 * {@link AddressSpace#fits} against this rank's slot or a registered region before any view of memory is positioned.
 *
 * <p>Copies: a WRITE payload goes from the socket straight into the slot, except for the bytes that arrived in the same
 * read as the header (at most the receive buffer, {@link TcpProtocol#SMALL_PAYLOAD_BYTES}), which are copied from the
 * connection's buffer. A READ reply of at most {@link TcpProtocol#SMALL_PAYLOAD_BYTES} is copied into the send buffer
 * behind its header (one system call); a larger one is written from the slot with a gathering write.
 *
 * <p>Thread safety: confined to its thread, but for {@link #shutdown()}.
 */
final class ServerConnection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerConnection.class);
    /** Slots are served through views of at most this many bytes (a ByteBuffer holds at most 2 GiB). */
    static final long WINDOW_BYTES = 1L << 30;
    private static final long NO_DEADLINE = Long.MAX_VALUE / 4;

    private final TcpServer server;
    private final FramedChannel channel;
    private final RequestFlyweight request = new RequestFlyweight();
    private final ReplyFlyweight reply = new ReplyFlyweight();
    private final ByteBuffer[][] slotViews = new ByteBuffer[Space.values().length][];
    private final Map<RegisteredRegions.Region, ByteBuffer[]> regionViews = new IdentityHashMap<>();
    private final long peerTimeoutNs;
    private int peerRank = -1;
    private volatile boolean stopping;

    ServerConnection(TcpServer server, FramedChannel channel, long peerTimeoutNs) {
        this.server = server;
        this.channel = channel;
        this.peerTimeoutNs = peerTimeoutNs;
        for (Space space : Space.values()) {
            MemorySegment slot = server.slot(space);
            if (slot != null) {
                slotViews[space.ordinal()] = windows(slot);
            }
        }
    }

    @Override
    public void run() {
        try {
            if (handshake()) {
                serve();
            }
        } catch (IOException e) {
            if (!stopping && LOG.isDebugEnabled()) {
                LOG.debug("rank {}: data connection from rank {} ended: {}", server.rank(), peerRank, e.toString());
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("rank {}: data connection from rank {} failed", server.rank(), peerRank, e);
        } finally {
            channel.close();
            server.connectionEnded(this);
        }
    }

    /** Stops serving: closes the socket so that a blocked read or write returns. */
    void shutdown() {
        stopping = true;
        try {
            channel.channel.close();
        } catch (IOException e) {
            // Closing a socket that failed: nothing more to do.
        }
        channel.wakeup();
    }

    private boolean handshake() throws IOException {
        long deadline = System.nanoTime() + peerTimeoutNs;
        if (!channel.fill(HelloFlyweight.LENGTH, HelloFlyweight.LENGTH, deadline)) {
            return false;
        }
        HelloFlyweight hello = new HelloFlyweight().wrap(channel.recv, channel.rpos);
        int status = 0;
        if (hello.magic() != TcpProtocol.MAGIC || hello.version() != TcpProtocol.VERSION) {
            status = ErrorCode.PROTOCOL_ERROR.value();
        } else if (hello.targetRank() != server.rank()) {
            status = ErrorCode.PEER_UNAVAILABLE.value(); // the client wants another rank (a reused port)
        }
        peerRank = hello.rankOrStatus();
        channel.rpos += HelloFlyweight.LENGTH;
        new HelloFlyweight().wrap(channel.send, 0).set(status, server.rank());
        channel.writeFully(channel.sendSlice(HelloFlyweight.LENGTH), deadline);
        return status == 0;
    }

    private void serve() throws IOException {
        int capacity = (int) channel.recv.byteSize();
        while (!stopping) {
            // Between frames there is no deadline: an idle peer keeps its connection.
            if (!channel.fill(RequestFlyweight.LENGTH, capacity, NO_DEADLINE)) {
                return;
            }
            long deadline = System.nanoTime() + peerTimeoutNs;
            request.wrap(channel.recv, channel.rpos);
            short version = request.version();
            short type = request.type();
            long requestId = request.requestId();
            Space space = Space.ofWire(request.space());
            long address = request.address();
            long length = request.length();
            channel.rpos += RequestFlyweight.LENGTH;
            // The waits of this request, and the wait for the next one, learn in this request's size class.
            channel.sizeClass(length);
            if (version != TcpProtocol.VERSION || space == null || length <= 0
                    || length > TcpProtocol.MAX_REQUEST_BYTES
                    || (type != TcpProtocol.TYPE_READ && type != TcpProtocol.TYPE_WRITE
                        && type != TcpProtocol.TYPE_PUSH)) {
                replyStatus(type, ErrorCode.PROTOCOL_ERROR.value(), requestId, deadline);
                return; // a malformed frame: nothing after it can be trusted
            }
            switch (type) {
                case TcpProtocol.TYPE_READ -> {
                    if (!serveRead(space, address, length, requestId, deadline)) {
                        return;
                    }
                }
                case TcpProtocol.TYPE_WRITE -> {
                    if (!serveWrite(space, address, length, requestId, deadline)) {
                        return;
                    }
                }
                default -> servePush(space, address, length, requestId, deadline);
            }
        }
    }

    private boolean serveRead(Space space, long address, long length, long requestId, long deadline)
            throws IOException {
        RegisteredRegions.Region region = null;
        ByteBuffer[] views;
        long offset;
        if (space == Space.REGISTERED) {
            region = server.registered().acquire(address, length);
            if (region == null) {
                replyStatus(TcpProtocol.TYPE_READ, ErrorCode.ADDRESS_OUT_OF_RANGE.value(), requestId, deadline);
                return true;
            }
            offset = address - region.address();
            views = regionViews(region);
        } else {
            views = slotViews[space.ordinal()];
            // The shared overflow-safe check, before any view is positioned.
            if (views == null || !AddressSpace.fits(address, length, server.slot(space).byteSize())) {
                replyStatus(TcpProtocol.TYPE_READ, ErrorCode.ADDRESS_OUT_OF_RANGE.value(), requestId, deadline);
                return true;
            }
            offset = address;
        }
        try {
            int small = (int) Math.min(length, TcpProtocol.SMALL_PAYLOAD_BYTES);
            if (length <= TcpProtocol.SMALL_PAYLOAD_BYTES && channel.send.byteSize() >= ReplyFlyweight.LENGTH + small) {
                reply.wrap(channel.send, 0).set(TcpProtocol.TYPE_READ, 0, requestId, length);
                // Copy of a small payload behind its header: one system call for the whole reply.
                MemorySegment memory = region != null ? region.segment() : server.slot(space);
                MemorySegment.copy(memory, offset, channel.send, ReplyFlyweight.LENGTH, length);
                channel.writeFully(channel.sendSlice(ReplyFlyweight.LENGTH + (int) length), deadline);
            } else {
                reply.wrap(channel.send, 0).set(TcpProtocol.TYPE_READ, 0, requestId, length);
                ByteBuffer header = channel.sendSlice(ReplyFlyweight.LENGTH);
                long done = 0;
                while (done < length) {
                    // Straight from the slot to the socket (the kernel copies once into its buffers).
                    ByteBuffer view = position(views, offset + done, length - done);
                    int chunk = view.remaining();
                    if (done == 0) {
                        channel.writeFully(header, view, deadline);
                    } else {
                        channel.writeFully(view, deadline);
                    }
                    done += chunk;
                }
            }
        } finally {
            if (region != null) {
                server.registered().release(region);
            }
        }
        return true;
    }

    private boolean serveWrite(Space space, long address, long length, long requestId, long deadline)
            throws IOException {
        RegisteredRegions.Region region = null;
        ByteBuffer[] views;
        long offset;
        MemorySegment memory;
        if (space == Space.REGISTERED) {
            region = server.registered().acquire(address, length);
            if (region == null) {
                return refuseWrite(length, requestId, deadline);
            }
            offset = address - region.address();
            views = regionViews(region);
            memory = region.segment();
        } else {
            views = slotViews[space.ordinal()];
            memory = server.slot(space);
            // The shared overflow-safe check, before any view is positioned or any payload byte is stored.
            if (views == null || !AddressSpace.fits(address, length, memory.byteSize())) {
                return refuseWrite(length, requestId, deadline);
            }
            offset = address;
        }
        try {
            long done = Math.min(channel.buffered(), length);
            if (done > 0) {
                // Copy of the payload bytes that arrived in the same read as the header.
                MemorySegment.copy(channel.recv, channel.rpos, memory, offset, done);
                channel.rpos += (int) done;
            }
            while (done < length) {
                if (length - done <= TcpProtocol.SMALL_PAYLOAD_BYTES) {
                    // A small rest: read it with whatever follows (the next request) and copy it.
                    int rest = (int) (length - done);
                    if (!channel.fill(rest, (int) channel.recv.byteSize(), deadline)) {
                        return false;
                    }
                    MemorySegment.copy(channel.recv, channel.rpos, memory, offset + done, rest);
                    channel.rpos += rest;
                    done = length;
                } else {
                    // Straight from the socket into the slot.
                    ByteBuffer view = position(views, offset + done, length - done);
                    int chunk = view.remaining();
                    channel.readFully(view, deadline);
                    done += chunk;
                }
            }
        } finally {
            if (region != null) {
                server.registered().release(region);
            }
        }
        replyStatus(TcpProtocol.TYPE_WRITE, 0, requestId, deadline);
        return true;
    }

    /**
     * A well-formed WRITE outside the slot or regions: its payload (at most {@link TcpProtocol#MAX_REQUEST_BYTES}) is
     * read and dropped, without touching any memory but the connection's buffer, and the refusal is replied, so that
     * the connection and the requests pipelined behind it stay usable.
     *
     * @return {@code false} when the peer closed the connection mid-payload
     */
    private boolean refuseWrite(long length, long requestId, long deadline) throws IOException {
        long left = length;
        int capacity = (int) channel.recv.byteSize();
        while (left > 0) {
            if (channel.buffered() == 0 && !channel.fill(1, capacity, deadline)) {
                return false;
            }
            int n = (int) Math.min(left, channel.buffered());
            channel.rpos += n;
            left -= n;
        }
        replyStatus(TcpProtocol.TYPE_WRITE, ErrorCode.ADDRESS_OUT_OF_RANGE.value(), requestId, deadline);
        return true;
    }

    private void servePush(Space space, long address, long length, long requestId, long deadline)
            throws IOException {
        int dstRank = request.peerRank();
        Space dstSpace = Space.ofWire(request.peerSpace());
        long dstOffset = request.peerAddress();
        int status;
        MemorySegment memory = space == Space.REGISTERED ? null : server.slot(space);
        if (memory == null || !AddressSpace.fits(address, length, memory.byteSize())) {
            status = ErrorCode.ADDRESS_OUT_OF_RANGE.value();
        } else if (dstSpace == null || dstSpace == Space.REGISTERED || server.pushHandler() == null) {
            status = ErrorCode.INVALID_PARAM.value();
        } else {
            status = server.pushHandler().push(space, address, length, dstRank, dstSpace, dstOffset);
            deadline = System.nanoTime() + peerTimeoutNs;
        }
        replyStatus(TcpProtocol.TYPE_PUSH, status, requestId, deadline);
    }

    private void replyStatus(short type, int status, long requestId, long deadline) throws IOException {
        reply.wrap(channel.send, 0).set(type, status, requestId, 0);
        channel.writeFully(channel.sendSlice(ReplyFlyweight.LENGTH), deadline);
    }

    /** Positions the window that holds {@code offset} over {@code [offset, offset + min(rest, window end))}. */
    private static ByteBuffer position(ByteBuffer[] views, long offset, long rest) {
        int index = (int) (offset / WINDOW_BYTES);
        int within = (int) (offset - index * WINDOW_BYTES);
        ByteBuffer view = views[index];
        int chunk = (int) Math.min(rest, view.capacity() - within);
        view.clear().position(within).limit(within + chunk);
        return view;
    }

    private ByteBuffer[] regionViews(RegisteredRegions.Region region) {
        ByteBuffer[] views = regionViews.get(region);
        if (views == null) {
            regionViews.keySet().removeIf(RegisteredRegions.Region::isRemoved);
            views = windows(region.segment());
            regionViews.put(region, views);
        }
        return views;
    }

    /** Views of {@code segment} in windows of {@link #WINDOW_BYTES}, made once per connection. */
    static ByteBuffer[] windows(MemorySegment segment) {
        long size = segment.byteSize();
        int count = (int) ((size + WINDOW_BYTES - 1) / WINDOW_BYTES);
        ByteBuffer[] views = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long start = i * WINDOW_BYTES;
            views[i] = segment.asSlice(start, Math.min(WINDOW_BYTES, size - start)).asByteBuffer();
        }
        return views;
    }

    @Override
    public String toString() {
        return "ServerConnection{rank " + server.rank() + " <- rank " + peerRank + "}";
    }
}
