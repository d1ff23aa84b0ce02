package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;
import io.memfabric.transport.LinkUnusableException;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.Space;
import io.memfabric.transport.cma.CmaPeerLink;
import io.memfabric.transport.cma.PeerRegions;
import io.memfabric.transport.shm.SegmentCopier;

import java.lang.foreign.MemorySegment;

/**
 * The way to a mapped same-host peer's registered memory (space {@code REGISTERED}, addressed by the peer's own
 * addresses): every transfer first pins its range in the peer's region table, as the peer's listener would check it;
 * then a range inside the peer's mapped HOST slot (a pool the peer allocates blocks from and registers) is one
 * {@code MemorySegment.copy} through the mapping, and any other range goes by cma. The pin makes the peer's unregister
 * (or free) wait for the transfer.
 *
 * <p>Thread safety: any method from any thread; {@link #close()} once no transfer is in flight.
 */
final class RegisteredMemoryLink implements PeerLink {
    private final int rank;
    private final PeerRegions regions;
    private final MemorySegment mapped;
    private final long mappedBase;
    private final CmaPeerLink cma;
    private final SegmentCopier copier;

    /**
     * @param regions    the peer's region table (closed with this link)
     * @param mapped     the peer's HOST slot mapped here, or null
     * @param mappedBase the address of that slot in the peer's process (its descriptor's slot address), or 0
     * @param cma        a cma link without regions for the rest, or null when cma is not usable (then such ranges
     *                   fall back to tcp)
     * @param copier     copies through the mapping
     */
    RegisteredMemoryLink(int rank, PeerRegions regions, MemorySegment mapped, long mappedBase, CmaPeerLink cma,
                         SegmentCopier copier) {
        this.rank = rank;
        this.regions = regions;
        this.mapped = mappedBase == 0 ? null : mapped;
        this.mappedBase = mappedBase;
        this.cma = cma;
        this.copier = copier;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String transportName() {
        return cma != null ? "shm+cma" : "shm";
    }

    @Override
    public void write(MemorySegment local, long localOffset, Space space, long remoteAddress, long length) {
        checkSpace(space);
        transfer(true, local, localOffset, remoteAddress, length);
    }

    @Override
    public void read(Space space, long remoteAddress, MemorySegment local, long localOffset, long length) {
        checkSpace(space);
        transfer(false, local, localOffset, remoteAddress, length);
    }

    private void transfer(boolean write, MemorySegment local, long localOffset, long remoteAddress, long length) {
        long offset = mappedOffset(remoteAddress, length);
        if (offset < 0 && cma == null) {
            throw unusable(remoteAddress);
        }
        long token = regions.pin(remoteAddress, length);
        try {
            if (offset >= 0 && write) {
                // One copy, into the peer's pool through this process's mapping of it.
                copier.copy(local, localOffset, mapped, offset, length);
            } else if (offset >= 0) {
                copier.copy(mapped, offset, local, localOffset, length);
            } else if (write) {
                cma.writeChecked(local, localOffset, remoteAddress, length);
            } else {
                cma.readChecked(remoteAddress, local, localOffset, length);
            }
        } finally {
            regions.unpin(token);
        }
    }

    /** @return the offset of the range in the mapped slot, or -1 when it is not wholly inside it. */
    private long mappedOffset(long remoteAddress, long length) {
        if (mapped == null || Long.compareUnsigned(remoteAddress, mappedBase) < 0) {
            return -1;
        }
        long offset = remoteAddress - mappedBase;
        return io.memfabric.memory.AddressSpace.fits(offset, length, mapped.byteSize()) ? offset : -1;
    }

    private static void checkSpace(Space space) {
        if (space != Space.REGISTERED) {
            throw new ConfigurationException("space=" + space + " (expected: REGISTERED on this link)");
        }
    }

    private LinkUnusableException unusable(long remoteAddress) {
        return new LinkUnusableException("rank " + rank + " address=0x" + Long.toHexString(remoteAddress)
                + " is outside its mapped pool and cma is not usable here");
    }

    /** Unmaps the peer's region table (the mapping of its slot belongs to its shm link). */
    @Override
    public void close() {
        regions.close();
    }
}
