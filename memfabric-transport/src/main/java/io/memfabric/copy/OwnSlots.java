package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.RegionTable;
import io.memfabric.memory.SlotDescriptor;
import io.memfabric.transport.Space;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * This rank's own slots as the engine holds them: the memory by space, the descriptors and addresses it publishes to
 * peers, and the layout with the slots' backed sizes.
 *
 * <p>Thread safety: immutable once made (the segment array is not handed out).
 *
 * @param segments    the HOST and DEVICE slot memory, by {@link Space} ordinal; null where there is none
 * @param descriptors the slots' descriptors, for this rank's {@link PeerDescriptor}
 * @param addresses   each slot's address in this process (0 for a heap segment), same order
 * @param layout      the pool's layout with this rank's backed sizes
 * @param regionTable the owner's side of the shared table of registered regions, or null
 */
record OwnSlots(MemorySegment[] segments, List<SlotDescriptor> descriptors, List<Long> addresses,
                AddressSpace layout, RegionTable regionTable) {
    /** Most regions a table holds (a table is sized by its memory: as many entries as fit, up to this). */
    private static final int MAX_REGIONS = 1 << 16;

    /**
     * @param table zeroed shared memory for the region table, or null
     * @throws ConfigurationException for a slot of another rank, two slots of one type, or a table too small
     */
    static OwnSlots of(int rank, AddressSpace layout, List<MemoryRegion> ownSlots, MemoryRegion table) {
        AddressSpace withOwn = layout;
        List<SlotDescriptor> descriptors = new ArrayList<>();
        List<Long> addresses = new ArrayList<>();
        MemorySegment[] segments = new MemorySegment[2];
        for (MemoryRegion region : ownSlots) {
            SlotDescriptor d = region.descriptor();
            if (d.rank() != rank) {
                throw new ConfigurationException("own slot " + d.name() + " is of rank " + d.rank() + " (expected: "
                        + rank + ")");
            }
            int index = Space.of(d.type()).ordinal();
            if (segments[index] != null) {
                throw new ConfigurationException("two own " + d.type() + " slots (expected: at most one per type)");
            }
            segments[index] = region.segment();
            withOwn = withOwn.withBackedBytes(rank, d.type(), d.sizeBytes());
            descriptors.add(d);
            addresses.add(region.segment().isNative() ? region.segment().address() : 0L);
        }
        RegionTable regions = null;
        if (table != null) {
            int capacity = Math.min(MAX_REGIONS, RegionTable.capacityFor(table.segment().byteSize()));
            regions = RegionTable.format(table.segment(), capacity);
        }
        return new OwnSlots(segments, List.copyOf(descriptors), List.copyOf(addresses), withOwn, regions);
    }

    /** @return the slot of {@code space}, or null. */
    MemorySegment segment(Space space) {
        return space == Space.REGISTERED ? null : segments[space.ordinal()];
    }
}
