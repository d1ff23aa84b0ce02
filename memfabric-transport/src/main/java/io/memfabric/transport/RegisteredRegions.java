package io.memfabric.transport;

import io.memfabric.common.idle.IdleStrategies;
import io.memfabric.common.idle.IdleStrategy;
import io.memfabric.common.idle.ParkingIdleStrategy;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.RegionTable;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The regions of this process's memory, besides its slots, that peers may reach through its data listener (the
 * TRANS API's registered user buffers). Readers (listener threads) find a region by address without locking or
 * allocating; writers swap a sorted copy-on-write array. {@link #unregister} waits until no request is using the
 * region any more, so a caller may free the memory as soon as it returns.
 *
 * <p>With a shared {@link RegionTable} (the owner's side of it), every region is also published there, so that
 * same-host peers that write and read it by cma — which this process cannot refuse — check and pin it first; then
 * {@link #unregister} also waits for their pins to end.
 *
 * <p>Thread safety: any method from any thread; register and unregister are serialized among themselves.
 */
public final class RegisteredRegions {
    /**
     * One registered region. A reader {@link RegisteredRegions#acquire acquires} it before touching its memory and
     * releases it after. Public for the transports' listeners (package {@code tcp}); the copy layer only registers
     * and unregisters.
     *
     * <p>Thread safety: immutable but for the pin count and the removed flag, which are atomic.
     */
    public static final class Region {
        private final long address;
        private final long size;
        private final MemorySegment segment;
        private final AtomicInteger users = new AtomicInteger();
        private volatile boolean removed;
        /** Its entry in the shared table, or -1. */
        private final int tableEntry;

        private Region(MemorySegment segment, int tableEntry) {
            this.address = segment.address();
            this.size = segment.byteSize();
            this.segment = segment;
            this.tableEntry = tableEntry;
        }

        /** @return the region's first address in this process. */
        public long address() {
            return address;
        }

        /** @return the region's size, bytes. */
        public long size() {
            return size;
        }

        /** @return the region's memory. */
        public MemorySegment segment() {
            return segment;
        }

        /** @return whether the region has been unregistered (its views must not be used again). */
        public boolean isRemoved() {
            return removed;
        }
    }

    private static final Region[] NONE = {};
    /** How often {@link #unregister} looks whether the requests using a region have ended (each takes microseconds). */
    private static final long DRAIN_PARK_NS = 50_000;
    private static final IdleStrategy DRAIN_WAIT = new ParkingIdleStrategy(DRAIN_PARK_NS);

    private final RegionTable shared;
    private volatile Region[] regions = NONE;

    /** Regions served by this process's listener only. */
    public RegisteredRegions() {
        this(null);
    }

    /**
     * @param shared the owner's side of the table same-host peers read, or {@code null}; the caller keeps its memory
     *               mapped as long as this object is used
     */
    public RegisteredRegions(RegionTable shared) {
        this.shared = shared;
    }

    /**
     * Registers a native segment. Registering the same address and size again is a no-op (as upstream's
     * {@code smem_bm_register_user_mem}).
     *
     * @param segment native memory that stays alive until {@link #unregister}
     * @throws ConfigurationException when the segment is not native, is empty, or overlaps another registered region
     *                                without being equal to it
     */
    public synchronized void register(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative() || segment.byteSize() == 0) {
            throw new ConfigurationException("segment=" + segment + " (expected: a non-empty native segment)");
        }
        Region[] current = regions;
        long start = segment.address();
        long size = segment.byteSize();
        for (Region r : current) {
            if (r.address == start && r.size == size) {
                return;
            }
            boolean disjoint = Long.compareUnsigned(start + size, r.address) <= 0
                    || Long.compareUnsigned(r.address + r.size, start) <= 0;
            if (!disjoint) {
                throw new ConfigurationException("segment [0x" + Long.toHexString(start) + ", +" + size
                        + ") overlaps registered region [0x" + Long.toHexString(r.address) + ", +" + r.size + ")");
            }
        }
        Region[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = new Region(segment, shared == null ? -1 : shared.register(start, size));
        Arrays.sort(next, (a, b) -> Long.compareUnsigned(a.address, b.address));
        regions = next;
    }

    /**
     * Unregisters the region that starts at {@code segment}'s address, waiting until no request uses it. Unknown
     * addresses are ignored (as upstream).
     *
     * @param segment the registered segment (or any segment with the same address)
     * @param timeoutNs how long to wait for requests in flight
     * @return whether a region was unregistered
     * @throws MemFabricException {@code RESOURCE_IN_USE} when requests still use it after {@code timeoutNs}
     */
    public boolean unregister(MemorySegment segment, long timeoutNs) {
        Objects.requireNonNull(segment, "segment");
        Region removed = null;
        synchronized (this) {
            Region[] current = regions;
            for (int i = 0; i < current.length; i++) {
                if (current[i].address == segment.address()) {
                    removed = current[i];
                    Region[] next = new Region[current.length - 1];
                    System.arraycopy(current, 0, next, 0, i);
                    System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                    regions = next;
                    break;
                }
            }
        }
        if (removed == null) {
            return false;
        }
        // A reader increments users before it checks removed; we set removed before we read users: one of us sees
        // the other (both are sequentially consistent accesses). The shared table's retire is the same pair.
        removed.removed = true;
        Region region = removed;
        int entry = region.tableEntry;
        if (entry >= 0) {
            shared.retire(entry);
        }
        boolean drained = IdleStrategies.deadline(() -> region.users.get() == 0
                && (entry < 0 || shared.users(entry) == 0), System.nanoTime() + timeoutNs, DRAIN_WAIT, DRAIN_PARK_NS);
        if (entry >= 0) {
            if (drained) {
                shared.free(entry);
            } else {
                shared.abandon(entry);
            }
        }
        if (!drained) {
            throw new MemFabricException(ErrorCode.RESOURCE_IN_USE, "registered region [0x"
                    + Long.toHexString(region.address) + ", +" + region.size + ") still in use after "
                    + timeoutNs / 1_000_000 + " ms");
        }
        return true;
    }

    /**
     * Finds and pins the region that holds {@code [address, address + length)}. Allocates nothing. For the
     * transports' listeners, which serve requests from peers.
     *
     * @param address an address in this process, from a peer
     * @param length  bytes
     * @return the region, pinned until {@link #release}; or {@code null} when no registered region holds the whole
     *         range (the request must be refused without touching memory)
     */
    public Region acquire(long address, long length) {
        Region[] current = regions;
        int lo = 0;
        int hi = current.length - 1;
        Region found = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Region r = current[mid];
            if (Long.compareUnsigned(r.address, address) <= 0) {
                found = r;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found == null || !AddressSpace.fits(address - found.address, length, found.size)) {
            return null;
        }
        found.users.incrementAndGet();
        if (found.removed) {
            found.users.decrementAndGet();
            return null;
        }
        return found;
    }

    /** Unpins a region from {@link #acquire}. For the transports' listeners. */
    public void release(Region region) {
        region.users.decrementAndGet();
    }

    /** @return how many regions are registered. */
    int size() {
        return regions.length;
    }
}
