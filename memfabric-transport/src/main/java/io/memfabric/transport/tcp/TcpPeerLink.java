package io.memfabric.transport.tcp;

import io.memfabric.common.CloseOnce;
import io.memfabric.common.idle.BackoffIdleStrategy;
import io.memfabric.common.idle.IdleStrategy;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.error.ProtocolException;
import io.memfabric.transport.Direction;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.Space;
import io.memfabric.transport.TransferOps;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The tcp route to one peer: a small pool of connections to its data listener
 * ({@link TcpOptions#connectionsPerPeer()}), opened on first use. A copy checks a connection out, runs on the
 * calling thread and checks it back in, so that concurrent copies (threads of a striped transfer, batch groups, async
 * workers) use different connections.
 * Transfers longer than {@link TcpProtocol#MAX_REQUEST_BYTES} become several requests.
 *
 * <p>Loss: when a connection fails (reset, closed, silent past the peer timeout), the copy fails with
 * {@link PeerLostException} ({@code PEER_UNAVAILABLE}) and the link tries one reconnection at once; if that fails too
 * (a killed process's port refuses at once), the link is marked lost and every later copy fails fast without touching
 * the network, until the copy layer replaces the link.
 *
 * <p>Thread safety: copies from any thread; {@link #close()} after the copies have drained.
 */
public final class TcpPeerLink implements PeerLink {
    private static final long RECONNECT_PROBE_NS = 2_000_000_000L;
    private static final int CHECK_OUT_SPINS = 100;
    private static final int CHECK_OUT_YIELDS = 100;
    private static final long CHECK_OUT_MIN_PARK_NS = 1_000;

    private final int rank;
    private final int localRank;
    /** The rank the hello names: the peer's, or ANY when peers are numbered by this engine. */
    private final int helloRank;
    private final InetSocketAddress address;
    private final TcpOptions options;
    private final TcpRequestChannel[] connections;
    private final AtomicIntegerArray busy;
    private volatile String lostReason;
    private final CloseOnce closed = new CloseOnce();

    TcpPeerLink(int localRank, int rank, InetSocketAddress address, TcpOptions options, boolean anyListenerRank) {
        this.localRank = localRank;
        this.rank = rank;
        this.helloRank = anyListenerRank ? TcpProtocol.ANY_RANK : rank;
        this.address = address;
        this.options = options;
        this.connections = new TcpRequestChannel[options.connectionsPerPeer()];
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new TcpRequestChannel();
        }
        this.busy = new AtomicIntegerArray(connections.length);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String transportName() {
        return "tcp";
    }

    /** @return the peer's data listener. */
    InetSocketAddress address() {
        return address;
    }

    /** @return why the peer counts as lost, or {@code null} while it is reachable. */
    public String lostReason() {
        return lostReason;
    }

    /** @return how many connections this link can use at once. */
    public int connectionCount() {
        return connections.length;
    }

    @Override
    public void write(MemorySegment local, long localOffset, Space space, long remoteAddress, long length) {
        transferInSteps(Direction.WRITE, local, localOffset, space, remoteAddress, length);
    }

    @Override
    public void read(Space space, long remoteAddress, MemorySegment local, long localOffset, long length) {
        transferInSteps(Direction.READ, local, localOffset, space, remoteAddress, length);
    }

    /** A WRITE or READ of any length: one request per step ({@link #stepFor}). */
    private void transferInSteps(Direction direction, MemorySegment local, long localOffset, Space space,
                                 long remoteAddress, long length) {
        long step = stepFor(local);
        for (long done = 0; done < length; done += step) {
            long n = Math.min(step, length - done);
            transfer(direction, local, localOffset + done, space, remoteAddress + done, n, -1, null, 0);
        }
    }

    /**
     * Asks the peer to copy a range of its own slot to another rank (a third-party transfer: the data goes from the
     * peer to {@code dstRank} directly).
     *
     * @param srcSpace  the peer's slot space
     * @param srcOffset offset in it
     * @param length    bytes, at least 1
     * @param dstRank   the destination rank
     * @param dstSpace  the destination's slot space
     * @param dstOffset offset in it
     * @throws PeerLostException          when this peer, or the destination as seen from this peer, is gone
     * @throws AddressOutOfRangeException when a range is not backed
     */
    public void push(Space srcSpace, long srcOffset, long length, int dstRank, Space dstSpace, long dstOffset) {
        for (long done = 0; done < length; done += TcpProtocol.MAX_REQUEST_BYTES) {
            long n = Math.min(TcpProtocol.MAX_REQUEST_BYTES, length - done);
            transfer(Direction.COPY, null, 0, srcSpace, srcOffset + done, n, dstRank, dstSpace, dstOffset + done);
        }
    }

    /**
     * Runs a list of transfers to this peer, pipelined on one connection (see {@code TcpRequestChannel#pipeline}):
     * a batch of small copies costs about one round trip instead of one each. Elements longer than one request, or
     * whose local segment has no ByteBuffer view, run one by one. Every element runs even if one fails, and each
     * element's outcome is recorded in {@code ops} ({@link TransferOps#status(int)}); elements whose outcome is not
     * known when the peer is lost keep {@link TransferOps#NOT_RUN}.
     *
     * @param ops the transfers; their local segments must stay valid until this returns
     * @throws PeerLostException          when the peer is lost (the outcome of the elements in flight is unknown)
     * @throws AddressOutOfRangeException the first refused element
     */
    public void execute(TransferOps ops) {
        int n = ops.size();
        int runStart = 0;
        MemFabricException first = null;
        for (int i = 0; i <= n; i++) {
            boolean simple = i < n && ops.length(i) <= TcpProtocol.MAX_REQUEST_BYTES
                    && stepFor(ops.local(i)) == TcpProtocol.MAX_REQUEST_BYTES;
            if (simple) {
                continue;
            }
            if (runStart < i) {
                first = firstOf(first, pipelined(ops, runStart, i));
            }
            if (i < n) {
                try {
                    transferInSteps(ops.direction(i), ops.local(i), ops.localOffset(i), ops.space(i), ops.remote(i),
                            ops.length(i));
                    ops.status(i, 0);
                } catch (PeerLostException e) {
                    throw e;
                } catch (MemFabricException e) {
                    ops.status(i, e.code().value());
                    first = firstOf(first, e);
                }
            }
            runStart = i + 1;
        }
        if (first != null) {
            throw first;
        }
    }

    private static MemFabricException firstOf(MemFabricException first, MemFabricException next) {
        return first != null ? first : next;
    }

    /** @return the failure of the first failed element of {@code [from, to)}, or {@code null}. */
    private MemFabricException pipelined(TransferOps ops, int from, int to) {
        checkLive();
        int index = checkOut();
        TcpRequestChannel connection = connections[index];
        try {
            connect(connection);
            int failedAt;
            try {
                failedAt = connection.pipeline(ops, from, to, options.peerTimeoutNs());
            } catch (TcpRequestChannel.ProtocolIOException e) {
                connection.close();
                throw new ProtocolException("tcp to rank " + rank + " at " + address + ": " + e.getMessage());
            } catch (IOException e) {
                connection.close();
                throw connectionLost(connection, e);
            }
            if (failedAt < 0) {
                return null;
            }
            return failure(ops.direction(failedAt), connection.failedStatus(), ops.space(failedAt),
                    ops.remote(failedAt), ops.length(failedAt), -1);
        } finally {
            checkIn(index);
        }
    }

    private void checkLive() {
        String lost = lostReason;
        if (lost != null || closed.isClosed()) {
            throw new PeerLostException(rank, "tcp to rank " + rank + " at " + address + ": "
                    + (lost != null ? lost : "link closed"));
        }
    }

    private void connect(TcpRequestChannel connection) {
        if (!connection.isConnected()) {
            try {
                connection.connect(address, localRank, helloRank, options.spinNs(), options.peerTimeoutNs());
            } catch (IOException e) {
                connection.close();
                String reason = "cannot connect: " + e;
                lostReason = reason;
                throw new PeerLostException(rank, "tcp to rank " + rank + " at " + address + ": " + reason);
            }
        }
    }

    /** Heap segments backed by other arrays than {@code byte[]} have no ByteBuffer view: move them in small steps. */
    private static long stepFor(MemorySegment local) {
        if (local.isNative() || local.heapBase().orElse(null) instanceof byte[]) {
            return TcpProtocol.MAX_REQUEST_BYTES;
        }
        return TcpProtocol.SMALL_PAYLOAD_BYTES;
    }

    private void transfer(Direction direction, MemorySegment local, long localOffset, Space space, long remote,
                          long length, int dstRank, Space dstSpace, long dstOffset) {
        checkLive();
        int index = checkOut();
        TcpRequestChannel connection = connections[index];
        try {
            long timeoutNs = options.peerTimeoutNs();
            connect(connection);
            int status;
            try {
                // A PUSH waits for the source to copy to a third rank: its own request and the destination's reply.
                long deadline = System.nanoTime() + (direction == Direction.COPY ? 2 * timeoutNs : timeoutNs);
                status = switch (direction) {
                    case WRITE -> connection.write(local, localOffset, space, remote, length, deadline);
                    case READ -> connection.read(space, remote, local, localOffset, length, deadline);
                    case COPY -> connection.push(space, remote, length, dstRank, dstSpace, dstOffset, deadline);
                };
            } catch (TcpRequestChannel.ProtocolIOException e) {
                connection.close();
                throw new ProtocolException("tcp to rank " + rank + " at " + address + ": " + e.getMessage());
            } catch (IOException e) {
                connection.close();
                throw connectionLost(connection, e);
            }
            if (status != 0) {
                throw failure(direction, status, space, remote, length, dstRank);
            }
        } finally {
            checkIn(index);
        }
    }

    /** The connection failed: probe the listener once, so that a dead peer is known at once. */
    private PeerLostException connectionLost(TcpRequestChannel connection, IOException cause) {
        String reason = "connection lost: " + cause;
        if (!closed.isClosed()) {
            try {
                connection.connect(address, localRank, helloRank, options.spinNs(),
                        Math.min(options.peerTimeoutNs(), RECONNECT_PROBE_NS));
            } catch (IOException e) {
                connection.close();
                reason += "; reconnect failed: " + e;
                lostReason = reason;
            }
        }
        PeerLostException lost = new PeerLostException(rank, "tcp to rank " + rank + " at " + address + ": " + reason);
        lost.initCause(cause);
        return lost;
    }

    private MemFabricException failure(Direction direction, int status, Space space, long remote, long length,
                                       int dstRank) {
        boolean push = direction == Direction.COPY;
        String what = "tcp " + TcpProtocol.typeName(TcpProtocol.requestType(direction)) + " to rank " + rank + " "
                + space + " address=" + remote + " length=" + length + (push ? " (to rank " + dstRank + ")" : "")
                + ": ";
        ErrorCode code = ErrorCode.of(status);
        return switch (code) {
            case ADDRESS_OUT_OF_RANGE -> new AddressOutOfRangeException(what + "refused by the peer: outside its "
                    + (space == Space.REGISTERED ? "registered regions" : "slot"), remote, length);
            case PEER_UNAVAILABLE -> new PeerLostException(push ? dstRank : rank, what + "destination unavailable");
            case PROTOCOL_ERROR -> new ProtocolException(what + "the peer rejected the frame");
            default -> new MemFabricException(code, what + "failed with status " + status + " (" + code + ")");
        };
    }

    /**
     * Checks a free connection out, waiting for one when every connection is in use by another copy (each is released
     * within the peer timeout): 100 spins, 100 yields, then parks from 1 µs doubling up to
     * {@link TcpOptions#maxParkNs()}. The wait's strategy is made only when there is a wait.
     */
    private int checkOut() {
        int index = tryCheckOut();
        if (index >= 0) {
            return index;
        }
        IdleStrategy idle = new BackoffIdleStrategy(CHECK_OUT_SPINS, CHECK_OUT_YIELDS, CHECK_OUT_MIN_PARK_NS,
                options.maxParkNs());
        while ((index = tryCheckOut()) < 0) {
            idle.idle();
        }
        return index;
    }

    /** @return the index of the connection checked out, or -1 when all are in use. */
    private int tryCheckOut() {
        int n = connections.length;
        int start = (int) (Thread.currentThread().threadId() % n);
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (busy.get(i) == 0 && busy.compareAndSet(i, 0, 1)) {
                return i;
            }
        }
        return -1;
    }

    private void checkIn(int index) {
        // Release: this thread's use of the connection (its buffers, request id) happens-before the next owner's.
        busy.set(index, 0);
    }

    /** Closes every connection. Called once the copies to this peer have drained. Idempotent. */
    @Override
    public void close() {
        if (!closed.begin()) {
            return;
        }
        for (int i = 0; i < connections.length; i++) {
            // A connection still checked out (a copy that outlived the drain) is closed by force: its copy fails.
            connections[i].close();
        }
    }

    @Override
    public String toString() {
        return "TcpPeerLink{rank=" + rank + ", " + address + (lostReason != null ? ", lost" : "") + "}";
    }
}
