package io.memfabric.copy;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.Space;
import io.memfabric.transport.tcp.TcpPeerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the copy engine knows of one peer: its descriptor, its routes (the chosen one and the fallbacks), its links,
 * and the copies in flight to it (so that its links close only once they have drained).
 *
 * <p>Lifecycle: made and connected by {@link PeerTable#add}; published in a {@link PeerTable.Snapshot}; pinned by each
 * copy ({@link PeerTable#acquire}, {@link #release()}); unpublished and drained by {@link PeerTable#remove}. A peer
 * whose loss is final ({@link #lost}) stays published until the layer above removes it, and every copy to it fails
 * fast.
 *
 * <p>Thread safety: route and link are volatile and replaced under this object's monitor ({@link #fallBack}); the
 * in-flight count is atomic; everything else is written before the peer is published.
 */
final class Peer {
    private static final Logger LOG = LoggerFactory.getLogger(Peer.class);
    private static final Space[] SLOT_SPACES = {Space.HOST_SLOT, Space.DEVICE_SLOT};

    final PeerDescriptor descriptor;
    /** The peer's rank in this engine: its descriptor's, or the number this engine gave it. */
    private final int rank;
    /** The tcp link: always made (every rank runs a data listener), the last fallback of every peer. */
    final TcpPeerLink tcp;
    /** Copies in flight; {@link PeerTable#remove} waits for zero. */
    final AtomicInteger inFlight = new AtomicInteger();
    private final List<Route> candidates;
    private final List<PeerLink> links = new ArrayList<>();
    volatile Route route;
    volatile PeerLink link;
    /**
     * The link to the peer's registered memory (space {@code REGISTERED}): cma with the peer's region table on the same
     * host, else tcp. Shm cannot reach it: registered memory is not in a slot that could be mapped.
     */
    volatile PeerLink registeredLink;
    volatile String reason;
    /** Set when the peer is being removed: new copies to it fail fast. */
    volatile boolean closing;
    /** Why the peer is lost for good, or null. */
    volatile String lost;
    /** The peer's slots mapped here (shm route), by space ordinal; entries are null otherwise. */
    private volatile MemorySegment[] mapped = new MemorySegment[SLOT_SPACES.length];

    Peer(int rank, PeerDescriptor descriptor, RouteTable.Choice choice, TcpPeerLink tcp) {
        this.rank = rank;
        this.descriptor = descriptor;
        this.candidates = new ArrayList<>(choice.candidates());
        this.reason = choice.reason();
        this.tcp = tcp;
        links.add(tcp);
    }

    /** @return the peer's rank. */
    int rank() {
        return rank;
    }

    /** Makes the link of the first candidate that works (a mapping may fail: then the next one). */
    void connectPrimary(LinkFactory factory) {
        StringBuilder failures = new StringBuilder();
        while (!candidates.isEmpty()) {
            Route candidate = candidates.get(0);
            try {
                PeerLink made = factory.make(this, candidate);
                link = made;
                route = candidate;
                if (made != tcp) {
                    links.add(made);
                }
                if (candidate == Route.SHM) {
                    MemorySegment[] m = new MemorySegment[SLOT_SPACES.length];
                    for (Space space : SLOT_SPACES) {
                        m[space.ordinal()] = made.mapped(space);
                    }
                    mapped = m;
                }
                PeerLink forRegistered = factory.registeredLink(this, candidate, made);
                if (forRegistered != made && forRegistered != tcp) {
                    links.add(forRegistered);
                }
                registeredLink = forRegistered;
                if (!failures.isEmpty()) {
                    reason = candidate.wireName() + " after " + failures + "; " + reason;
                }
                return;
            } catch (MemFabricException e) {
                failures.append(failures.isEmpty() ? "" : "; ").append(candidate.wireName()).append(" failed: ")
                        .append(e.getMessage());
                candidates.remove(0);
            }
        }
        throw new MemFabricException(ErrorCode.INVALID_PARAM, "no route to rank " + rank() + ": " + failures + " ("
                + reason + ")");
    }

    /**
     * A route failed at run time for a reason that will not go away: move to the next one.
     *
     * @throws PeerLostException when no route is left (the peer is then lost)
     */
    synchronized void fallBack(LinkFactory factory, int localRank, Route failed, String why) {
        if (route != failed) {
            return; // another thread already moved on
        }
        candidates.remove(failed);
        Route previous = route;
        String before = reason;
        mapped = new MemorySegment[SLOT_SPACES.length];
        try {
            connectPrimary(factory);
        } catch (MemFabricException e) {
            lost = e.getMessage();
            throw new PeerLostException(rank(), e.getMessage());
        }
        reason = route.wireName() + " after " + previous.wireName() + " failed at run time: " + why + "; " + before;
        LOG.info("rank {}: route to rank {} falls back from {} to {}: {}", localRank, rank(), previous.wireName(),
                route.wireName(), why);
    }

    /**
     * The link to the registered memory failed for a reason that will not go away (cma refused): registered memory
     * goes over tcp from now on; the slots keep their route.
     */
    synchronized void registeredFallBack(PeerLink failed, int localRank, String why) {
        if (registeredLink != failed) {
            return;
        }
        registeredLink = tcp;
        LOG.info("rank {}: registered memory of rank {} falls back from {} to tcp: {}", localRank, rank(),
                failed.transportName(), why);
    }

    /**
     * Marks the peer lost when a failure is final: its process is gone, or it refused a reconnection. A tcp failure
     * that the connection may still recover from is not final.
     *
     * @return whether this call evicted it
     */
    boolean evictIfLost(PeerLostException e, int localRank) {
        if (e.rank() != rank() || lost != null) {
            return false;
        }
        if (route != Route.TCP || tcp.lostReason() != null) {
            lost = e.getMessage();
            LOG.warn("rank {}: peer {} evicted: {}", localRank, rank(), e.getMessage());
            return true;
        }
        return false;
    }

    /**
     * @param space a slot space
     * @return the peer's slot of that space mapped here (shm route), or {@code null}
     */
    MemorySegment mapped(Space space) {
        return space == Space.REGISTERED ? null : mapped[space.ordinal()];
    }

    /** Unpins the peer after a copy ({@link PeerTable#acquire}). */
    void release() {
        inFlight.decrementAndGet();
    }

    /** Closes every link made for this peer. Called once no copy is in flight. */
    void closeLinks() {
        CloseHelper.closeAll(links.toArray(new AutoCloseable[0]));
    }

    @Override
    public String toString() {
        return "Peer{rank=" + rank() + ", route=" + (route == null ? "-" : route.wireName())
                + (lost != null ? ", lost" : "") + "}";
    }
}
