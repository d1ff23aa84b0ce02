package io.memfabric.copy;

import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmOptions;
import io.memfabric.memory.SlotDescriptor;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.cma.CmaPeerLink;
import io.memfabric.transport.shm.SegmentCopier;
import io.memfabric.transport.shm.ShmPeerLink;

/**
 * Makes the link of one route to one peer from its descriptor: a mapping of its slots (shm), its process (cma), or
 * its tcp link (made with the peer, since tcp is every peer's last fallback).
 *
 * <p>Thread safety: immutable; {@link #make} from any thread.
 */
final class LinkFactory {
    private final ShmOptions shmOptions;
    private final SegmentCopier copier;

    LinkFactory(ShmOptions shmOptions, SegmentCopier copier) {
        this.shmOptions = shmOptions;
        this.copier = copier;
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
            case SHM -> ShmPeerLink.map(d.rank(), d.slots(), shmOptions, copier);
            case CMA -> {
                SlotDescriptor host = d.slot(MemoryType.HOST);
                SlotDescriptor device = d.slot(MemoryType.DEVICE);
                yield new CmaPeerLink(d.rank(), d.pid(), d.slotAddress(MemoryType.HOST),
                        host == null ? 0 : host.sizeBytes(), d.slotAddress(MemoryType.DEVICE),
                        device == null ? 0 : device.sizeBytes());
            }
            case TCP -> peer.tcp;
        };
    }
}
