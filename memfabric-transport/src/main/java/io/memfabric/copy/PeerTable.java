package io.memfabric.copy;

import io.memfabric.common.idle.IdleStrategies;
import io.memfabric.common.idle.ParkingIdleStrategy;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.SlotDescriptor;
import io.memfabric.transport.tcp.TcpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The peers of one rank's copy engine: adds and removes them, and publishes each change as a new {@link PeerView}
 * with one volatile write. Adding a peer chooses its route ({@link RouteTable}), makes its link (mapping its slots
 * when the route is shm) and records its slot sizes in the layout; removing it unpublishes it first, then waits for
 * the copies in flight to it to drain, then closes its links.
 *
 * <p>Thread safety: {@link #add}, {@link #remove} and {@link #closeAll} are serialised by a lock (single writer of the
 * view); {@link #view()}, {@link #acquire} and the queries from any thread, without a lock.
 */
final class PeerTable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerTable.class);
    private static final long DRAIN_POLL_NS = 20_000;

    private final int rank;
    private final RouteTable routeTable;
    private final LinkFactory linkFactory;
    private final TcpTransport tcp;
    private final long drainTimeoutNs;
    private final boolean peersNumberedLocally;
    /** Why a rank is unavailable (removed, engine closed), for the messages of copies to it. */
    private final AtomicReferenceArray<String> unavailable;
    private final Object lock = new Object();
    private volatile PeerView view;

    PeerTable(int rank, AddressSpace layout, RouteTable routeTable, LinkFactory linkFactory, TcpTransport tcp,
              long peerTimeoutNs, boolean peersNumberedLocally) {
        this.peersNumberedLocally = peersNumberedLocally;
        this.rank = rank;
        this.routeTable = routeTable;
        this.linkFactory = linkFactory;
        this.tcp = tcp;
        this.drainTimeoutNs = 2 * peerTimeoutNs + 1_000_000_000L;
        this.unavailable = new AtomicReferenceArray<>(layout.worldSize());
        this.view = new PeerView(layout, new Peer[layout.worldSize()], rank);
    }

    /** @return the current view (a volatile read); one copy uses one view throughout. */
    PeerView view() {
        return view;
    }

    /** @return how links to peers are made (for route fallbacks). */
    LinkFactory linkFactory() {
        return linkFactory;
    }

    /**
     * Adds a peer under rank {@code r} (its descriptor's, or the number this engine gives it), or replaces it when its
     * descriptor changed (a rank that rejoined); idempotent for an equal descriptor of a peer that is not lost.
     *
     * @throws ConfigurationException when the descriptor does not fit this pool (rank, slot larger than the stride)
     * @throws MemFabricException     {@code INVALID_PARAM} when no route can reach it
     */
    void add(int r, PeerDescriptor descriptor) {
        synchronized (lock) {
            PeerView current = view;
            AddressSpace layout = current.layout();
            if (r >= layout.worldSize() || r == rank) {
                throw new ConfigurationException("peer rank=" + r + " (expected: 0.." + (layout.worldSize() - 1)
                        + ", not this rank " + rank + ")");
            }
            Peer existing = current.peer(r);
            if (existing != null && existing.descriptor.equals(descriptor) && existing.lost == null) {
                return;
            }
            AddressSpace next = layout;
            for (MemoryType type : MemoryType.values()) {
                SlotDescriptor slot = descriptor.slot(type);
                next = next.withBackedBytes(r, type, slot == null ? 0 : slot.sizeBytes());
            }
            RouteTable.Choice choice = routeTable.choose(descriptor);
            if (choice.route() == null) {
                throw new MemFabricException(ErrorCode.INVALID_PARAM, choice.reason());
            }
            if (existing != null) {
                unpublish(r, false);
                drainAndClose(r, existing, "rank " + r + " was replaced");
            }
            Peer peer = new Peer(r, descriptor, choice, tcp.link(r, descriptor.dataSocketAddress(),
                    peersNumberedLocally));
            try {
                peer.connectPrimary(linkFactory);
            } catch (RuntimeException | Error e) {
                peer.closeLinks();
                throw e;
            }
            Peer[] peers = view.peersCopy();
            peers[r] = peer;
            unavailable.set(r, null);
            // One write publishes the peer and the layout that makes its addresses valid together.
            view = new PeerView(next, peers, rank);
            LOG.debug("rank {}: peer {} added, route {}", rank, r, peer.reason);
        }
    }

    /**
     * Removes a peer: later copies to it fail fast with {@link PeerLostException}; copies in flight to it drain first.
     * Unknown ranks are ignored.
     */
    void remove(int r, String why) {
        synchronized (lock) {
            int worldSize = view.size();
            if (r < 0 || r >= worldSize || r == rank) {
                throw new ConfigurationException("rank=" + r + " (expected: a peer rank below " + worldSize + ")");
            }
            Peer peer = view.peer(r);
            unavailable.set(r, why);
            if (peer != null) {
                unpublish(r, true);
                drainAndClose(r, peer, why);
            }
        }
    }

    /** Removes every peer (the engine is closing). */
    void closeAll() {
        synchronized (lock) {
            for (int r = 0; r < view.size(); r++) {
                Peer peer = view.peer(r);
                if (peer != null) {
                    unavailable.set(r, "the engine is closed");
                    unpublish(r, false);
                    drainAndClose(r, peer, "engine closed");
                }
            }
        }
    }

    /** Publishes a view without rank {@code r} (and, if asked, with its slots unbacked). Under the lock. */
    private void unpublish(int r, boolean unback) {
        PeerView current = view;
        Peer[] peers = current.peersCopy();
        peers[r] = null;
        AddressSpace layout = current.layout();
        if (unback) {
            for (MemoryType type : MemoryType.values()) {
                layout = layout.withBackedBytes(r, type, 0);
            }
        }
        view = new PeerView(layout, peers, rank);
    }

    /** Waits for the copies in flight to an unpublished peer, then closes its links. Under the lock. */
    private void drainAndClose(int r, Peer peer, String why) {
        // Sequentially consistent with acquire(): a copy increments inFlight, then reads closing.
        peer.closing = true;
        boolean drained = IdleStrategies.deadline(() -> peer.inFlight.get() == 0, System.nanoTime() + drainTimeoutNs,
                new ParkingIdleStrategy(DRAIN_POLL_NS), DRAIN_POLL_NS);
        if (!drained) {
            LOG.warn("rank {}: {} copies to rank {} still in flight after the drain timeout; closing its links under "
                    + "them ({})", rank, peer.inFlight.get(), r, why);
        }
        peer.closeLinks();
    }

    /**
     * Pins a peer for one copy; throws fast when it is gone. The caller {@link Peer#release() releases} it.
     *
     * @throws PeerLostException {@code PEER_UNAVAILABLE} when {@code r} is not a peer of the view, or is lost or
     *                           being removed
     */
    Peer acquire(PeerView v, int r, String op) {
        Peer peer = v.peer(r);
        if (peer == null) {
            throw unavailable(r, op);
        }
        peer.inFlight.incrementAndGet();
        // Sequentially consistent with drainAndClose(): it sets closing, then reads inFlight.
        if (peer.closing || peer.lost != null) {
            peer.inFlight.decrementAndGet();
            throw peer.lost != null
                    ? new PeerLostException(r, op + ": rank " + r + " is lost: " + peer.lost)
                    : unavailable(r, op);
        }
        return peer;
    }

    /** @return the failure of a copy to a rank that is not a peer, with why when it is known. */
    PeerLostException unavailable(int r, String op) {
        String why = r >= 0 && r < unavailable.length() ? unavailable.get(r) : null;
        return new PeerLostException(r, op + ": rank " + r + " is not available"
                + (why != null ? ": " + why : " (never added as a peer)"));
    }

    /**
     * @return the route copies to {@code r} take ({@link Route#SHM} for this rank's own memory)
     * @throws PeerLostException when {@code r} is not a peer
     */
    Route routeTo(int r) {
        if (r == rank) {
            return Route.SHM;
        }
        PeerView v = view;
        Peer peer = r >= 0 && r < v.size() ? v.peer(r) : null;
        if (peer == null) {
            throw unavailable(r, "routeTo");
        }
        return peer.route;
    }

    /** @return why copies to {@code r} take their route, and why not the others; or why it is unavailable. */
    String routeReason(int r) {
        if (r == rank) {
            return RouteTable.ownRankReason();
        }
        PeerView v = view;
        Peer peer = r >= 0 && r < v.size() ? v.peer(r) : null;
        if (peer == null) {
            return unavailable(r, "route").getMessage();
        }
        return peer.lost != null ? peer.reason + "; evicted: " + peer.lost : peer.reason;
    }

    @Override
    public String toString() {
        return "PeerTable{rank=" + rank + ", " + routeTable + "}";
    }
}
