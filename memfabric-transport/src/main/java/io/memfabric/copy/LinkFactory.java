package io.memfabric.copy;

import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmOptions;
import io.memfabric.memory.SlotDescriptor;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.Space;
import io.memfabric.transport.cma.CmaPeerLink;
import io.memfabric.transport.cma.PeerRegions;
import io.memfabric.transport.shm.SegmentCopier;
import io.memfabric.transport.shm.ShmPeerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the link of one route to one peer from its descriptor: a mapping of its slots (shm), its process (cma), or
 * its tcp link (made with the peer, since tcp is every peer's last fallback).
 *
 * <p>Thread safety: immutable; {@link #make} from any thread.
 */
final class LinkFactory {
    private static final Logger LOG = LoggerFactory.getLogger(LinkFactory.class);

    private final ShmOptions shmOptions;
    private final SegmentCopier copier;
    private final boolean cmaUsable;

    LinkFactory(ShmOptions shmOptions, SegmentCopier copier, boolean cmaUsable) {
        this.shmOptions = shmOptions;
        this.copier = copier;
        this.cmaUsable = cmaUsable;
    }

    /**
     * @param peer  the peer
     * @param route the route to make a link for
     * @return the link; the peer owns it (and closes it with its other links)
     * @throws io.memfabric.error.MemFabricException when the link cannot be made (e.g. a mapping fails)
     */
    PeerLink make(Peer peer, Route route) {
        PeerDescriptor d = peer.descriptor;
        return switch (route) {
            case SHM -> ShmPeerLink.map(peer.rank(), d.slots(), shmOptions, copier);
            case CMA -> cma(peer.rank(), d, mapRegions(peer.rank(), d));
            case TCP -> peer.tcp;
        };
    }

    private static CmaPeerLink cma(int rank, PeerDescriptor d, PeerRegions regions) {
        SlotDescriptor host = d.slot(MemoryType.HOST);
        SlotDescriptor device = d.slot(MemoryType.DEVICE);
        return new CmaPeerLink(rank, d.pid(), d.slotAddress(MemoryType.HOST), host == null ? 0 : host.sizeBytes(),
                d.slotAddress(MemoryType.DEVICE), device == null ? 0 : device.sizeBytes(), regions);
    }

    /**
     * @param peer    the peer
     * @param route   the route its slots take
     * @param primary the link of that route
     * @return the link to the peer's registered memory, each transfer pinned in the peer's region table: for a mapped
     *         (shm) peer, a {@link RegisteredMemoryLink} (its pool through the mapping, the rest by cma); for a cma
     *         peer, the cma link itself; otherwise, or when the peer offers no table or it cannot be mapped, the tcp
     *         link (the peer's listener checks every request)
     */
    PeerLink registeredLink(Peer peer, Route route, PeerLink primary) {
        PeerDescriptor d = peer.descriptor;
        if (primary instanceof CmaPeerLink cma && cma.offersRegistered()) {
            return primary;
        }
        if (route == Route.TCP || d.regionTable() == null || (route == Route.CMA && !cmaUsable)) {
            return peer.tcp;
        }
        PeerRegions regions = mapRegions(peer.rank(), d);
        if (regions == null) {
            return peer.tcp;
        }
        if (route == Route.SHM) {
            return new RegisteredMemoryLink(peer.rank(), regions, primary.mapped(Space.HOST_SLOT),
                    d.slotAddress(MemoryType.HOST), cmaUsable ? cma(peer.rank(), d, null) : null, copier);
        }
        return cma(peer.rank(), d, regions);
    }

    /** @return the peer's region table mapped here, or null when it offers none or it cannot be mapped. */
    private static PeerRegions mapRegions(int rank, PeerDescriptor d) {
        if (d.regionTable() == null) {
            return null;
        }
        try {
            return PeerRegions.map(rank, d.regionTable());
        } catch (RuntimeException e) {
            LOG.info("rank {}: registered memory goes over tcp: its region table cannot be mapped: {}", rank,
                    e.toString());
            return null;
        }
    }
}
