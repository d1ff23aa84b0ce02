package io.memfabric.transport.tcp;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.transport.RegisteredRegions;
import io.memfabric.transport.Space;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The tcp transport of one rank: its data listener, which serves the rank's slots and registered regions to peers,
 * and the factory of its links to peers' listeners.
 *
 * <p>Why plain NIO and not Netty: a one-sided READ or WRITE is a fixed header and a payload that must go between the
 * socket and a slot without a copy; a {@code SocketChannel} reads and writes {@code ByteBuffer} views of the slot's
 * {@code MemorySegment} directly, and the thread that waits for a reply reads it itself (no event-loop hand-off, which
 * costs a wake-up per request). See {@code docs/transports.md}.
 *
 * <p>Thread safety: any method from any thread; {@link #close()} once.
 */
public final class TcpTransport implements AutoCloseable {
    private final int rank;
    private final TcpOptions options;
    private final TcpServer server;

    private TcpTransport(int rank, TcpOptions options, TcpServer server) {
        this.rank = rank;
        this.options = options;
        this.server = server;
    }

    /**
     * Binds and starts the data listener.
     *
     * @param rank        this rank
     * @param bind        where to listen; port 0 picks a free port
     * @param hostSlot    this rank's HOST slot, or {@code null}
     * @param deviceSlot  this rank's DEVICE slot, or {@code null}
     * @param registered  the regions peers may reach besides the slots
     * @param pushHandler carries out third-party PUSH requests, or {@code null} to refuse them
     * @param options     settings
     * @return the transport; the caller closes it
     * @throws MemFabricException {@code ERROR} naming the address when the listener cannot bind
     */
    public static TcpTransport start(int rank, InetSocketAddress bind, MemorySegment hostSlot, MemorySegment deviceSlot,
                                     RegisteredRegions registered, PushHandler pushHandler, TcpOptions options) {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(registered, "registered");
        Objects.requireNonNull(options, "options");
        MemorySegment[] slots = new MemorySegment[Space.values().length];
        slots[Space.HOST_SLOT.ordinal()] = hostSlot;
        slots[Space.DEVICE_SLOT.ordinal()] = deviceSlot;
        try {
            return new TcpTransport(rank, options, new TcpServer(rank, bind, slots, registered, pushHandler, options));
        } catch (IOException e) {
            throw new MemFabricException(ErrorCode.ERROR, "rank " + rank + ": cannot start the data listener on "
                    + bind + ": " + e, e);
        }
    }

    /** @return where the data listener listens (the bound port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /**
     * @param peerRank the peer's rank
     * @param address  its data listener
     * @return a link that connects on first use; the caller closes it
     */
    public TcpPeerLink link(int peerRank, InetSocketAddress address) {
        return link(peerRank, address, false);
    }

    /**
     * @param peerRank        the peer's rank as this process numbers it
     * @param address         its data listener
     * @param anyListenerRank whether the listener may have another rank of its own (peers numbered by this process,
     *                        not by a fabric): the hello then names none
     * @return a link that connects on first use; the caller closes it
     */
    public TcpPeerLink link(int peerRank, InetSocketAddress address, boolean anyListenerRank) {
        return new TcpPeerLink(rank, peerRank, Objects.requireNonNull(address, "address"), options, anyListenerRank);
    }

    /**
     * Sets what the listener answers to a DESCRIBE (a peer that knows only this listener's address asks it first).
     *
     * @param description at most 8 KiB
     */
    public void describeAs(byte[] description) {
        if (description.length > TcpProtocol.MAX_DESCRIPTION_BYTES) {
            throw new io.memfabric.error.ConfigurationException("description of " + description.length + " bytes "
                    + "(expected: <= " + TcpProtocol.MAX_DESCRIPTION_BYTES + ")");
        }
        server.describeAs(description.clone());
    }

    /**
     * Asks the listener at {@code address} for its description, on a connection of its own that names no rank.
     *
     * @param address   the listener
     * @param spinNs    the busy phase of the connection's waits
     * @param timeoutNs how long the whole exchange may take
     * @return the description
     * @throws io.memfabric.error.PeerLostException {@code PEER_UNAVAILABLE} when nothing answers at the address, or
     *                                              it has no description
     * @throws io.memfabric.error.ProtocolException when the answer is not one
     */
    public static byte[] describe(InetSocketAddress address, long spinNs, long timeoutNs) {
        TcpRequestChannel channel = new TcpRequestChannel();
        try {
            channel.connect(address, TcpProtocol.ANY_RANK, TcpProtocol.ANY_RANK, spinNs, timeoutNs);
            return channel.describe(System.nanoTime() + timeoutNs);
        } catch (TcpRequestChannel.ProtocolIOException e) {
            throw new io.memfabric.error.ProtocolException("describe " + address + ": " + e.getMessage());
        } catch (IOException e) {
            throw new io.memfabric.error.PeerLostException(-1, "describe " + address + ": no answer: " + e);
        } finally {
            channel.close();
        }
    }

    /** @return how many data connections the listener is serving now (for tests). */
    int servedConnections() {
        return server.connectionCount();
    }

    /** Stops the listener: closes its connections and joins its threads. Links are closed by their owners. */
    @Override
    public void close() {
        server.close();
    }
}
