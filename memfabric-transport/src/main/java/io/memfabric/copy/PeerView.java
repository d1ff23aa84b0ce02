package io.memfabric.copy;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.MemFabricException;
import io.memfabric.memory.AddressSpace;

/**
 * The membership a copy works with, as one immutable value: the address space with every known rank's backed sizes,
 * and the peers this rank can reach. The copy engine publishes a new view with one volatile write whenever a peer is
 * added or removed, so the layout and the peers in a view always agree: a copy that sees a peer sees its slot sizes.
 * This is the one membership view of a rank: the product APIs read it (through {@link CopyEngine#view()}) for their
 * own checks, and the copy that follows uses the same peers.
 *
 * <p>Thread safety: immutable (the peer array is never changed once published).
 */
public final class PeerView {
    private final AddressSpace layout;
    private final Peer[] peers;
    private final int localRank;

    PeerView(AddressSpace layout, Peer[] peers, int localRank) {
        this.layout = layout;
        this.peers = peers;
        this.localRank = localRank;
    }

    /** @return the address space with the backed size of every rank this view knows. */
    public AddressSpace layout() {
        return layout;
    }

    /**
     * @param rank any value
     * @return whether copies may address {@code rank}: this rank itself, or a peer that has been added and not
     *         removed (a peer lost meanwhile is still reachable in this sense; copies to it fail with
     *         {@code PEER_UNAVAILABLE})
     */
    public boolean isReachable(int rank) {
        return rank == localRank || (rank >= 0 && rank < peers.length && peers[rank] != null);
    }

    /** @return this rank. */
    public int localRank() {
        return localRank;
    }

    /** @return the peer of {@code rank}, or {@code null}; {@code rank} must be in {@code 0..worldSize-1}. */
    Peer peer(int rank) {
        return peers[rank];
    }

    /** @return a copy of the peer array, for the next view. */
    Peer[] peersCopy() {
        return peers.clone();
    }

    /** @return the number of rank positions (the world size). */
    int size() {
        return peers.length;
    }

    /**
     * Checks a global range and locates it in its rank's slot. Allocates nothing unless it throws.
     *
     * @param op     the operation, for the message
     * @param gva    the range's first address
     * @param length its length
     * @param table  where unavailable ranks' reasons are kept
     * @return the offset of {@code gva} in its rank's slot
     * @throws AddressOutOfRangeException when the range is not inside the backed part of one rank's slot
     * @throws io.memfabric.error.PeerLostException when the range is in the slot of a rank that is not a peer
     */
    long locate(String op, long gva, long length, PeerTable table) {
        long offset = layout.offsetInRange(gva, length);
        if (offset < 0) {
            throw rangeFailure(op, gva, length, (int) offset, table);
        }
        return offset;
    }

    private MemFabricException rangeFailure(String op, long gva, long length, int status, PeerTable table) {
        if (status == AddressSpace.OUTSIDE_SLOT) {
            int r = layout.rankOf(gva);
            // A rank that is not a peer (never added, removed, leaving) is unavailable, not out of range.
            if (r >= 0 && r != localRank && peers[r] == null) {
                return table.unavailable(r, op);
            }
        }
        try {
            layout.checkRange(op, gva, length);
        } catch (AddressOutOfRangeException e) {
            return e;
        }
        return new AddressOutOfRangeException(op + ": gva=0x" + Long.toHexString(gva) + " length=" + length
                + " is out of range", gva, length);
    }
}
