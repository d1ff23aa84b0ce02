package io.memfabric.transport.shm;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.CloseOnce;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.ShmOptions;
import io.memfabric.memory.ShmSlot;
import io.memfabric.memory.SlotDescriptor;
import io.memfabric.transport.LinkUnusableException;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.Space;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A same-host peer's slots, mapped into this process when the peer joins; a copy is one {@code MemorySegment.copy}
 * (through a {@link SegmentCopier}, which splits large ones). The peer's registered regions are not mapped: requests
 * for them raise {@link LinkUnusableException}, so the copy layer takes another route.
 *
 * <p>Lifetimes: each slot's mapping has its own shared arena ({@link ShmSlot}), closed by {@link #close()}, which the
 * copy layer calls only after the copies in flight to this peer have drained (closing under an access throws).
 *
 * <p>Thread safety: copies from any thread; {@link #close()} once the copies have drained.
 */
public final class ShmPeerLink implements PeerLink {
    private final int rank;
    private final SegmentCopier copier;
    private final MemoryRegion[] regions = new MemoryRegion[Space.values().length];
    private final MemorySegment[] segments = new MemorySegment[Space.values().length];
    private final CloseOnce closed = new CloseOnce();

    private ShmPeerLink(int rank, SegmentCopier copier) {
        this.rank = rank;
        this.copier = copier;
    }

    /**
     * Maps a peer's slots.
     *
     * @param rank    the peer's rank
     * @param slots   its slot descriptors, at most one per type, each with backing {@code shm} on this host
     * @param options where the slot files are
     * @param copier  does the copies
     * @return the link; the caller closes it
     * @throws ConfigurationException when a slot is not a same-host shm slot
     * @throws io.memfabric.error.MemFabricException when a mapping fails (the file is gone, too short, ...); the
     *                                               mappings made so far are released
     */
    public static ShmPeerLink map(int rank, List<SlotDescriptor> slots, ShmOptions options, SegmentCopier copier) {
        Objects.requireNonNull(slots, "slots");
        Objects.requireNonNull(copier, "copier");
        if (slots.isEmpty()) {
            throw new ConfigurationException("rank " + rank + " offers no slot to map");
        }
        ShmPeerLink link = new ShmPeerLink(rank, copier);
        try {
            for (SlotDescriptor slot : slots) {
                if (!slot.isSharedMemory()) {
                    throw new ConfigurationException("rank " + rank + " " + slot.type() + " slot has backing "
                            + slot.backing() + " (expected: " + SlotDescriptor.SHM_BACKING + ")");
                }
                int index = Space.of(slot.type()).ordinal();
                if (link.regions[index] != null) {
                    throw new ConfigurationException("rank " + rank + " offers two " + slot.type() + " slots");
                }
                MemoryRegion region = ShmSlot.open(slot, options);
                link.regions[index] = region;
                link.segments[index] = region.segment();
            }
            return link;
        } catch (RuntimeException | Error e) {
            link.close();
            throw e;
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String transportName() {
        return "shm";
    }

    @Override
    public void write(MemorySegment local, long localOffset, Space space, long remoteAddress, long length) {
        // One copy: from the caller's segment straight into the peer's mapped slot.
        copier.copy(local, localOffset, target(space, remoteAddress, length), remoteAddress, length);
    }

    @Override
    public void read(Space space, long remoteAddress, MemorySegment local, long localOffset, long length) {
        // One copy: from the peer's mapped slot straight into the caller's segment.
        copier.copy(target(space, remoteAddress, length), remoteAddress, local, localOffset, length);
    }

    @Override
    public MemorySegment mapped(Space space) {
        return segments[space.ordinal()];
    }

    private MemorySegment target(Space space, long offset, long length) {
        MemorySegment segment = segments[space.ordinal()];
        if (segment == null) {
            throw new LinkUnusableException("shm maps only slots; rank " + rank + " has no mapped " + space);
        }
        if (!AddressSpace.fits(offset, length, segment.byteSize())) {
            throw new AddressOutOfRangeException("shm to rank " + rank + ": offset=" + offset + " length=" + length
                    + " exceeds its mapped " + space + " of " + segment.byteSize() + " bytes", offset, length);
        }
        return segment;
    }

    /** Unmaps the peer's slots. Idempotent. */
    @Override
    public void close() {
        if (closed.begin()) {
            List<AutoCloseable> all = new ArrayList<>();
            for (MemoryRegion region : regions) {
                if (region != null) {
                    all.add(region);
                }
            }
            CloseHelper.closeAll(all.toArray(new AutoCloseable[0]));
        }
    }

    @Override
    public String toString() {
        return "ShmPeerLink{rank=" + rank + "}";
    }
}
