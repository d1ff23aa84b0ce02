package io.memfabric.bm;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.error.ProtocolException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.DeviceMemory;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmSlot;
import io.memfabric.memory.SlotDescriptor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A same-host data plane: maps every peer's slots and copies with one {@code MemorySegment.copy}. It serves a fabric
 * whose ranks all share one host; a peer on another host cannot be added.
 *
 * <p>Descriptor text: {@code local1 <rank> <hostId> <pid> <slot descriptor>...}, blank-separated (slot descriptors and
 * host ids hold no blanks).
 *
 * <p>Thread safety: as {@link DataPlane}. The table of segments is copy-on-write, published with a volatile store.
 */
final class LocalDataPlane implements DataPlane {
    private static final String FORMAT = "local1";
    private static final int HOST = 1;
    private static final int DEVICE = 0;

    private final int rank;
    private final AddressSpace layout;
    private final DeviceMemory device;
    private final String descriptor;
    private final Map<Integer, List<MemoryRegion>> mappings = new HashMap<>();
    /** [DEVICE or HOST][rank]; written under {@code this}, read without a lock. */
    private volatile MemorySegment[][] table;

    LocalDataPlane(int rank, AddressSpace layout, List<MemoryRegion> ownSlots, DeviceMemory device) {
        this.rank = rank;
        this.layout = layout;
        this.device = device;
        MemorySegment[][] t = new MemorySegment[2][layout.worldSize()];
        StringBuilder text = new StringBuilder(FORMAT).append(' ').append(rank).append(' ').append(HostId.current())
                .append(' ').append(ProcessHandle.current().pid());
        for (MemoryRegion slot : ownSlots) {
            t[index(slot.descriptor().type())][rank] = slot.segment();
            text.append(' ').append(slot.descriptor().encode());
        }
        this.table = t;
        this.descriptor = text.toString();
    }

    private static int index(MemoryType type) {
        return type == MemoryType.HOST ? HOST : DEVICE;
    }

    @Override
    public String localDescriptor() {
        return descriptor;
    }

    @Override
    public PeerInfo parse(String text) {
        String[] words = text.split(" ");
        if (words.length < 4 || !FORMAT.equals(words[0])) {
            throw new ProtocolException("not a local data plane descriptor: '" + text + "'");
        }
        try {
            List<SlotDescriptor> slots = new ArrayList<>();
            for (int i = 4; i < words.length; i++) {
                slots.add(SlotDescriptor.decode(words[i]));
            }
            return new PeerInfo(Integer.parseInt(words[1]), words[2], Long.parseLong(words[3]), slots);
        } catch (NumberFormatException e) {
            throw new ProtocolException("local data plane descriptor '" + text + "': " + e.getMessage());
        }
    }

    @Override
    public synchronized void addPeer(String text) {
        PeerInfo info = parse(text);
        removePeer(info.rank());
        List<MemoryRegion> mapped = new ArrayList<>();
        try {
            for (SlotDescriptor slot : info.slots()) {
                mapped.add(slot.type() == MemoryType.HOST ? ShmSlot.open(slot) : device.open(slot));
            }
        } catch (RuntimeException e) {
            mapped.forEach(CloseHelper::quietClose);
            throw e;
        }
        MemorySegment[][] t = copyTable();
        for (MemoryRegion region : mapped) {
            t[index(region.descriptor().type())][info.rank()] = region.segment();
        }
        mappings.put(info.rank(), mapped);
        table = t;
    }

    @Override
    public synchronized void removePeer(int peer) {
        List<MemoryRegion> mapped = mappings.remove(peer);
        if (mapped == null) {
            return;
        }
        MemorySegment[][] t = copyTable();
        t[HOST][peer] = null;
        t[DEVICE][peer] = null;
        table = t;
        // Copies that read the old table may still run; unmapping under them would fail them. The mappings of a
        // removed peer are kept until close.
        retired.addAll(mapped);
    }

    private final List<MemoryRegion> retired = new ArrayList<>();

    private MemorySegment[][] copyTable() {
        MemorySegment[][] old = table;
        return new MemorySegment[][] {old[DEVICE].clone(), old[HOST].clone()};
    }

    @Override
    public String routeDescription(int peer) {
        return peer == rank ? "local: own slot" : "shm: same host, mapped";
    }

    private MemorySegment resolve(long gva, String what) {
        int peer = layout.rankOf(gva);
        MemorySegment segment = peer < 0 ? null : table[gva >= AddressSpace.HOST_BASE ? HOST : DEVICE][peer];
        if (segment == null) {
            throw new PeerLostException(peer, what + ": rank " + peer + " is not reachable (gva="
                    + CopyChecks.hex(gva) + ")");
        }
        return segment;
    }

    @Override
    public void write(MemorySegment src, long dstGva, long length) {
        MemorySegment.copy(src, 0, resolve(dstGva, "write"), layout.offsetOf(dstGva), length);
    }

    @Override
    public void read(long srcGva, MemorySegment dst, long length) {
        MemorySegment.copy(resolve(srcGva, "read"), layout.offsetOf(srcGva), dst, 0, length);
    }

    @Override
    public void copy(long srcGva, long dstGva, long length) {
        MemorySegment.copy(resolve(srcGva, "copy"), layout.offsetOf(srcGva), resolve(dstGva, "copy"),
                layout.offsetOf(dstGva), length);
    }

    @Override
    public CopyCompletion writeAsync(MemorySegment src, long dstGva, long length) {
        try {
            write(src, dstGva, length);
            return CompletedCopy.DONE_COPY;
        } catch (MemFabricException e) {
            return CompletedCopy.failed(e);
        }
    }

    @Override
    public CopyCompletion readAsync(long srcGva, MemorySegment dst, long length) {
        try {
            read(srcGva, dst, length);
            return CompletedCopy.DONE_COPY;
        } catch (MemFabricException e) {
            return CompletedCopy.failed(e);
        }
    }

    @Override
    public CopyCompletion copyAsync(long srcGva, long dstGva, long length) {
        try {
            copy(srcGva, dstGva, length);
            return CompletedCopy.DONE_COPY;
        } catch (MemFabricException e) {
            return CompletedCopy.failed(e);
        }
    }

    @Override
    public void execute(BigMemoryBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.kind(i)) {
                case BigMemoryBatch.WRITE -> write(batch.segment(i), batch.dstGva(i), batch.sizeOf(i));
                case BigMemoryBatch.READ -> read(batch.srcGva(i), batch.segment(i), batch.sizeOf(i));
                default -> copy(batch.srcGva(i), batch.dstGva(i), batch.sizeOf(i));
            }
        }
    }

    @Override
    public CopyCompletion submit(BigMemoryBatch batch) {
        try {
            execute(batch);
            return CompletedCopy.DONE_COPY;
        } catch (MemFabricException e) {
            return CompletedCopy.failed(e);
        }
    }

    @Override
    public void awaitAll() {
        // Every copy completes in its caller.
    }

    @Override
    public void register(MemorySegment segment) {
        // Copies read and write user memory in place; nothing to prepare.
    }

    @Override
    public void unregister(MemorySegment segment) {
        // Nothing was prepared.
    }

    @Override
    public synchronized void close() {
        List<AutoCloseable> all = new ArrayList<>(retired);
        mappings.values().forEach(all::addAll);
        mappings.clear();
        retired.clear();
        table = new MemorySegment[2][layout.worldSize()];
        CloseHelper.closeAll(all.toArray(new AutoCloseable[0]));
    }
}
