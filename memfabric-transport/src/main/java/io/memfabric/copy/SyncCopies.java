package io.memfabric.copy;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryType;
import io.memfabric.transport.Space;
import io.memfabric.transport.shm.SegmentCopier;

import java.lang.foreign.MemorySegment;

/**
 * Synchronous copies, addressed two ways: by global address (BM, SHM: {@code gva = base + rank * stride + offset},
 * checked against the view's layout and resolved to a rank's slot), and by target (a rank, a space and an address in
 * it: TRANS's registered memory, the listener's PUSH service). Both end in the same place: this rank's own slots (one
 * {@code MemorySegment.copy}) or the {@link TransferPath} to a peer. A global-to-global copy moves the data once: a
 * write from wherever the source is here (own or mapped), a read into wherever the destination is here, or a
 * third-party PUSH when both are remote and unmapped.
 *
 * <p>Allocation: none (unless a check throws, or a tcp transfer is striped).
 *
 * <p>Thread safety: any method from any thread.
 */
final class SyncCopies {
    private final int rank;
    private final PeerTable peers;
    private final TransferPath path;
    private final SegmentCopier copier;
    private final OwnSlots own;

    SyncCopies(int rank, PeerTable peers, TransferPath path, SegmentCopier copier, OwnSlots own) {
        this.rank = rank;
        this.peers = peers;
        this.path = path;
        this.copier = copier;
        this.own = own;
    }

    /** L2G: from {@code src} at {@code srcOffset} to a global range. */
    void writeGlobal(MemorySegment src, long srcOffset, long dstGva, long length, String op) {
        PeerView v = peers.view();
        long offset = v.locate(op, dstGva, length, peers);
        write(v, src, srcOffset, v.layout().rankOf(dstGva), spaceOf(dstGva), offset, length, op);
    }

    /** G2L: from a global range to {@code dst} at {@code dstOffset}. */
    void readGlobal(long srcGva, MemorySegment dst, long dstOffset, long length, String op) {
        PeerView v = peers.view();
        long offset = v.locate(op, srcGva, length, peers);
        read(v, v.layout().rankOf(srcGva), spaceOf(srcGva), offset, dst, dstOffset, length, op);
    }

    /**
     * A checked write to a resolved target: one {@code MemorySegment.copy} into this rank's own slot, or the transfer
     * path to a peer.
     */
    void write(PeerView v, MemorySegment src, long srcOffset, int r, Space space, long address, long length,
               String op) {
        if (r == rank) {
            // One copy, into this rank's own slot.
            copier.copy(src, srcOffset, ownSlot(space, op), address, length);
            return;
        }
        Peer peer = peers.acquire(v, r, op);
        try {
            path.write(peer, src, srcOffset, space, address, length);
        } finally {
            peer.release();
        }
    }

    /** A checked read from a resolved target. */
    void read(PeerView v, int r, Space space, long address, MemorySegment dst, long dstOffset, long length,
              String op) {
        if (r == rank) {
            copier.copy(ownSlot(space, op), address, dst, dstOffset, length);
            return;
        }
        Peer peer = peers.acquire(v, r, op);
        try {
            path.read(peer, space, address, dst, dstOffset, length);
        } finally {
            peer.release();
        }
    }

    /** G2G: the data moves once, from wherever it is to wherever it goes. */
    void copyGlobal(long srcGva, long dstGva, long length, String op) {
        PeerView v = peers.view();
        long srcOffset = v.locate(op, srcGva, length, peers);
        long dstOffset = v.locate(op, dstGva, length, peers);
        AddressSpace l = v.layout();
        int srcRank = l.rankOf(srcGva);
        int dstRank = l.rankOf(dstGva);
        Space srcSpace = spaceOf(srcGva);
        Space dstSpace = spaceOf(dstGva);
        Peer src = null;
        Peer dst = null;
        try {
            MemorySegment srcMemory;
            if (srcRank == rank) {
                srcMemory = own.segment(srcSpace);
            } else {
                src = peers.acquire(v, srcRank, op);
                srcMemory = src.mapped(srcSpace);
            }
            if (srcMemory != null) {
                // The source is here (own or mapped): write it to the destination.
                if (dstRank == rank) {
                    copier.copy(srcMemory, srcOffset, own.segment(dstSpace), dstOffset, length);
                } else {
                    dst = peers.acquire(v, dstRank, op);
                    path.write(dst, srcMemory, srcOffset, dstSpace, dstOffset, length);
                }
                return;
            }
            MemorySegment dstMemory;
            if (dstRank == rank) {
                dstMemory = own.segment(dstSpace);
            } else {
                dst = peers.acquire(v, dstRank, op);
                dstMemory = dst.mapped(dstSpace);
            }
            if (dstMemory != null) {
                // The destination is here: read the source into it.
                path.read(src, srcSpace, srcOffset, dstMemory, dstOffset, length);
                return;
            }
            // Both remote and unmapped: the source rank pushes the bytes to the destination itself.
            path.push(src, srcSpace, srcOffset, length, dstRank, dstSpace, dstOffset);
        } finally {
            if (src != null) {
                src.release();
            }
            if (dst != null) {
                dst.release();
            }
        }
    }

    /**
     * Copies {@code length} bytes from {@code src} at {@code srcOffset} to a target: rank {@code dstRank}'s memory of
     * {@code space} at {@code address} (a slot offset, or a registered address). A slot target is checked against the
     * view's layout first; a registered target is checked where the memory is (by the peer's listener or the
     * mapping).
     *
     * @throws AddressOutOfRangeException when a slot range is not backed
     * @throws PeerLostException          when the rank is not a peer, or is lost
     */
    void writeTarget(MemorySegment src, long srcOffset, int dstRank, Space space, long address, long length,
                     String op) {
        PeerView v = peers.view();
        checkTarget(v, op, dstRank, space, address, length);
        write(v, src, srcOffset, dstRank, space, address, length, op);
    }

    /** The mirror of {@code writeTarget}: from a target to {@code dst} at {@code dstOffset}. */
    void readTarget(int srcRank, Space space, long address, MemorySegment dst, long dstOffset, long length,
                    String op) {
        PeerView v = peers.view();
        checkTarget(v, op, srcRank, space, address, length);
        read(v, srcRank, space, address, dst, dstOffset, length, op);
    }

    /**
     * Checks a target against the view: the rank is in the world, and a slot range is inside the backed part of the
     * slot (a registered range is checked where the memory is).
     */
    void checkTarget(PeerView v, String op, int r, Space space, long address, long length) {
        AddressSpace l = v.layout();
        if (r < 0 || r >= l.worldSize()) {
            throw new ConfigurationException(op + ": rank=" + r + " (expected: 0.." + (l.worldSize() - 1) + ")");
        }
        MemoryType type = space.memoryType();
        if (type != null && !AddressSpace.fits(address, length, l.backedBytes(r, type))) {
            if (!v.isReachable(r)) {
                throw peers.unavailable(r, op);
            }
            throw new AddressOutOfRangeException(op + ": rank " + r + " " + type + " slot offset=" + address
                    + " length=" + length + " exceeds its " + l.backedBytes(r, type) + " backed bytes",
                    l.gva(r, type, Math.max(0, Math.min(address, l.strideBytes(type) - 1))), length);
        }
    }

    private MemorySegment ownSlot(Space space, String op) {
        MemorySegment slot = own.segment(space);
        if (slot == null) {
            if (space == Space.REGISTERED) {
                throw new ConfigurationException(op + ": this rank's own registered memory is local memory: copy it "
                        + "directly (expected: a peer's rank)");
            }
            throw new ConfigurationException(op + ": this rank has no " + space + " to copy from or to");
        }
        return slot;
    }

    /** @return this rank's own slot memory of a space, or {@code null}. */
    MemorySegment own(Space space) {
        return own.segment(space);
    }

    /** @return the slot space of a global address (the address must be in range). */
    static Space spaceOf(long gva) {
        return gva >= AddressSpace.HOST_BASE ? Space.HOST_SLOT : Space.DEVICE_SLOT;
    }
}
