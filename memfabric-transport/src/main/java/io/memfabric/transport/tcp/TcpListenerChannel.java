package io.memfabric.transport.tcp;

import io.memfabric.error.ErrorCode;
import io.memfabric.memory.AddressSpace;
import io.memfabric.transport.RegisteredRegions;
import io.memfabric.transport.Space;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Serves one accepted connection of the data listener on its own thread (the client's end is a
 * {@link TcpRequestChannel}): handshake, then requests in order until the peer closes the connection, sends a
 * malformed frame, or the listener stops. Every (space, address, length) is checked with {@link AddressSpace#fits}
 * against this rank's slot or a registered region before any view of memory is positioned.
 *
 * <p>Dispatch: {@link #serveRequest} reads the fields every request shares and hands the request to the method of
 * its type ({@link #serveRead}, {@link #serveWrite}, {@link #servePush}); a new request type (the atomics of
 * {@link TcpProtocol}) is one more case there and one more method, which reads and checks its own fields.
 *
 * <p>Copies ({@link FramedChannel#readPayload}, {@link FramedChannel#writeFrame}): a WRITE payload goes from the socket
 * straight into the slot, except for the bytes that arrived in the same read as the header (at most the receive
 * buffer, {@link TcpProtocol#SMALL_PAYLOAD_BYTES}), which are copied from the connection's buffer. A READ reply of at
 * most {@link TcpProtocol#SMALL_PAYLOAD_BYTES} is copied into the send buffer behind its header (one system call); a
 * larger one is written from the slot with a gathering write. Views of the slots and regions
 * ({@link SegmentWindows}) are made once per connection.
 *
 * <p>Thread safety: confined to its thread, but for {@link #shutdown()}.
 */
final class TcpListenerChannel implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpListenerChannel.class);
    private static final long NO_DEADLINE = Long.MAX_VALUE / 4;

    private final TcpServer server;
    private final FramedChannel channel;
    private final RequestFlyweight request = new RequestFlyweight();
    private final ReplyFlyweight reply = new ReplyFlyweight();
    private final SegmentWindows[] slotWindows = new SegmentWindows[Space.values().length];
    private final Map<RegisteredRegions.Region, SegmentWindows> regionWindows = new IdentityHashMap<>();
    private final long peerTimeoutNs;
    private int peerRank = -1;
    private volatile boolean stopping;

    // The fields of the READ, WRITE or PUSH being served, set by readTransfer().
    private long requestId;
    private Space space;
    private long address;
    private long length;
    // The memory of the request being served, set by locate() and released by unlocate().
    private MemorySegment memory;
    private SegmentWindows windows;
    private long memoryOffset;
    private RegisteredRegions.Region region;

    TcpListenerChannel(TcpServer server, FramedChannel channel, long peerTimeoutNs) {
        this.server = server;
        this.channel = channel;
        this.peerTimeoutNs = peerTimeoutNs;
        for (Space space : Space.values()) {
            MemorySegment slot = server.slot(space);
            if (slot != null) {
                slotWindows[space.ordinal()] = new SegmentWindows(slot);
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
            unlocate();
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
        } else if (hello.targetRank() != server.rank() && hello.targetRank() != TcpProtocol.ANY_RANK) {
            status = ErrorCode.PEER_UNAVAILABLE.value(); // the client wants another rank (a reused port)
        }
        peerRank = hello.rankOrStatus();
        channel.rpos += HelloFlyweight.LENGTH;
        new HelloFlyweight().wrap(channel.send, 0).magic(TcpProtocol.MAGIC).version(TcpProtocol.VERSION)
                .flags((short) 0).rankOrStatus(status).targetRank(server.rank()).reserved(0);
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
            request.wrap(channel.recv, channel.rpos);
            channel.rpos += RequestFlyweight.LENGTH;
            // The frame's bytes stay where they are until the next fill: each handler reads its fields first.
            if (!serveRequest(System.nanoTime() + peerTimeoutNs)) {
                return;
            }
        }
    }

    /**
     * Serves the request just read: checks the fields every request has, then hands it to the method of its type.
     *
     * @return {@code false} when the connection must end (a malformed frame, or the peer left mid-frame)
     */
    private boolean serveRequest(long deadline) throws IOException {
        short type = request.type();
        if (request.version() != TcpProtocol.VERSION) {
            return refuseMalformed(type, deadline);
        }
        return switch (type) {
            case TcpProtocol.TYPE_READ -> serveRead(deadline);
            case TcpProtocol.TYPE_WRITE -> serveWrite(deadline);
            case TcpProtocol.TYPE_PUSH -> servePush(deadline);
            case TcpProtocol.TYPE_DESCRIBE -> serveDescribe(deadline);
            // TYPE_ATOMIC is reserved (see TcpProtocol) and, like any unknown type, malformed for this version.
            default -> refuseMalformed(type, deadline);
        };
    }

    /**
     * Reads the fields of a READ, WRITE or PUSH into {@link #requestId}, {@link #space}, {@link #address} and
     * {@link #length}, and names the length to the channel's waits.
     *
     * @return {@code false} when the frame is malformed: an unknown space, or a length outside
     *         {@code 1 .. MAX_REQUEST_BYTES}
     */
    private boolean readTransfer() {
        requestId = request.requestId();
        space = Space.ofWire(request.space());
        address = request.address();
        length = request.length();
        channel.sizeClass(length);
        return space != null && length > 0 && length <= TcpProtocol.MAX_REQUEST_BYTES;
    }

    /** A malformed frame: nothing after it can be trusted. @return {@code false}: the connection ends */
    private boolean refuseMalformed(short type, long deadline) throws IOException {
        replyStatus(type, ErrorCode.PROTOCOL_ERROR.value(), request.requestId(), deadline);
        return false;
    }

    /** The listener's description, from its owner; no memory is named or touched. */
    private boolean serveDescribe(long deadline) throws IOException {
        byte[] description = server.description();
        long id = request.requestId();
        if (description == null) {
            replyStatus(TcpProtocol.TYPE_DESCRIBE, ErrorCode.OBJECT_NOT_EXISTS.value(), id, deadline);
            return true;
        }
        reply(TcpProtocol.TYPE_DESCRIBE, 0, id, description.length);
        // A small control-plane answer: the header and the description leave through the send buffer together.
        MemorySegment.copy(MemorySegment.ofArray(description), 0, channel.send, ReplyFlyweight.LENGTH,
                description.length);
        channel.writeFully(channel.sendSlice(ReplyFlyweight.LENGTH + description.length), deadline);
        return true;
    }

    private boolean serveRead(long deadline) throws IOException {
        if (!readTransfer()) {
            return refuseMalformed(TcpProtocol.TYPE_READ, deadline);
        }
        if (!locate(space, address, length)) {
            replyStatus(TcpProtocol.TYPE_READ, ErrorCode.ADDRESS_OUT_OF_RANGE.value(), requestId, deadline);
            return true;
        }
        try {
            reply(TcpProtocol.TYPE_READ, 0, requestId, length);
            channel.writeFrame(ReplyFlyweight.LENGTH, memory, memoryOffset, length, windows, deadline);
        } finally {
            unlocate();
        }
        return true;
    }

    private boolean serveWrite(long deadline) throws IOException {
        if (!readTransfer()) {
            return refuseMalformed(TcpProtocol.TYPE_WRITE, deadline);
        }
        if (!locate(space, address, length)) {
            // Outside the slot or regions: the payload (at most MAX_REQUEST_BYTES) is read and dropped without
            // touching any memory but the connection's buffer, so that the requests pipelined behind it stay usable.
            if (!channel.discard(length, deadline)) {
                return false;
            }
            replyStatus(TcpProtocol.TYPE_WRITE, ErrorCode.ADDRESS_OUT_OF_RANGE.value(), requestId, deadline);
            return true;
        }
        try {
            channel.readPayload(memory, memoryOffset, length, windows, deadline);
        } finally {
            unlocate();
        }
        replyStatus(TcpProtocol.TYPE_WRITE, 0, requestId, deadline);
        return true;
    }

    private boolean servePush(long deadline) throws IOException {
        int dstRank = request.peerRank();
        Space dstSpace = Space.ofWire(request.peerSpace());
        long dstOffset = request.peerAddress();
        if (!readTransfer()) {
            return refuseMalformed(TcpProtocol.TYPE_PUSH, deadline);
        }
        int status;
        MemorySegment slot = space == Space.REGISTERED ? null : server.slot(space);
        if (slot == null || !AddressSpace.fits(address, length, slot.byteSize())) {
            status = ErrorCode.ADDRESS_OUT_OF_RANGE.value();
        } else if (dstSpace == null || dstSpace == Space.REGISTERED || server.pushHandler() == null) {
            status = ErrorCode.INVALID_PARAM.value();
        } else {
            status = server.pushHandler().push(space, address, length, dstRank, dstSpace, dstOffset);
            deadline = System.nanoTime() + peerTimeoutNs;
        }
        replyStatus(TcpProtocol.TYPE_PUSH, status, requestId, deadline);
        return true;
    }

    /**
     * Finds the memory of {@code [address, address + length)} in {@code space} with the shared overflow-safe check,
     * before any view is positioned: sets {@link #memory}, {@link #windows} and {@link #memoryOffset}, and pins a
     * registered region until {@link #unlocate()}.
     *
     * @return {@code false} when the range is outside the slot or every registered region (nothing is pinned)
     */
    private boolean locate(Space space, long address, long length) {
        if (space == Space.REGISTERED) {
            RegisteredRegions.Region found = server.registered().acquire(address, length);
            if (found == null) {
                return false;
            }
            region = found;
            memory = found.segment();
            memoryOffset = address - found.address();
            windows = regionWindows(found);
            return true;
        }
        SegmentWindows slot = slotWindows[space.ordinal()];
        if (slot == null || !AddressSpace.fits(address, length, server.slot(space).byteSize())) {
            return false;
        }
        memory = server.slot(space);
        memoryOffset = address;
        windows = slot;
        return true;
    }

    /** Releases what {@link #locate} pinned. */
    private void unlocate() {
        if (region != null) {
            server.registered().release(region);
            region = null;
        }
        memory = null;
        windows = null;
    }

    private SegmentWindows regionWindows(RegisteredRegions.Region found) {
        SegmentWindows views = regionWindows.get(found);
        if (views == null) {
            regionWindows.keySet().removeIf(RegisteredRegions.Region::isRemoved);
            views = new SegmentWindows(found.segment());
            regionWindows.put(found, views);
        }
        return views;
    }

    /** Writes a reply header into the send buffer. */
    private void reply(short requestType, int status, long requestId, long length) {
        reply.wrap(channel.send, 0).version(TcpProtocol.VERSION).type(TcpProtocol.replyType(requestType))
                .status(status).requestId(requestId).length(length);
    }

    private void replyStatus(short type, int status, long requestId, long deadline) throws IOException {
        reply(type, status, requestId, 0);
        channel.writeFully(channel.sendSlice(ReplyFlyweight.LENGTH), deadline);
    }

    @Override
    public String toString() {
        return "TcpListenerChannel{rank " + server.rank() + " <- rank " + peerRank + "}";
    }
}
