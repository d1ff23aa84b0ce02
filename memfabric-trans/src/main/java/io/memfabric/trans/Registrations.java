package io.memfabric.trans;

import io.memfabric.copy.CopyEngine;
import io.memfabric.error.ConfigurationException;
import io.memfabric.memory.ShmPool;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An engine's memory that peers may reach: user memory it registered, and blocks it allocated from its pool (which
 * are registered too). Each region is served by the copy engine's listener and published in its shared region table,
 * so that a peer's transfer is checked against it wherever the check happens; unregistering waits for the transfers
 * in flight into the region, and later ones fail with {@code ADDRESS_OUT_OF_RANGE}.
 *
 * <p>Thread safety: every method is serialised.
 */
final class Registrations {
    private final CopyEngine engine;
    private final ShmPool pool;
    /** Registered user regions by start address. */
    private final TreeMap<Long, MemorySegment> user = new TreeMap<>(Long::compareUnsigned);
    /** Allocated blocks by start address. */
    private final Map<Long, MemorySegment> blocks = new TreeMap<>(Long::compareUnsigned);

    Registrations(CopyEngine engine, ShmPool pool) {
        this.engine = engine;
        this.pool = pool;
    }

    /**
     * Registers one region of user memory.
     *
     * @throws ConfigurationException {@code INVALID_PARAM} for a heap or empty segment, or one that overlaps a
     *                                registered region without being equal to it
     */
    synchronized void register(MemorySegment segment) {
        checkUserMemory(segment);
        MemorySegment same = user.get(segment.address());
        if (same != null && same.byteSize() == segment.byteSize()) {
            return;
        }
        engine.register(segment);
        user.put(segment.address(), segment);
    }

    /**
     * Registers many regions at once; overlapping and adjacent ranges are merged first (upstream
     * {@code smem_trans_batch_register_mem}).
     *
     * @return the merged regions, by address
     */
    synchronized List<MemorySegment> registerAll(List<MemorySegment> segments) {
        List<MemorySegment> sorted = new ArrayList<>(segments);
        for (MemorySegment segment : sorted) {
            checkUserMemory(segment);
        }
        sorted.sort(Comparator.comparingLong(MemorySegment::address));
        List<MemorySegment> merged = new ArrayList<>();
        long start = 0;
        long end = 0;
        for (MemorySegment segment : sorted) {
            long s = segment.address();
            long e = s + segment.byteSize();
            if (end == 0 || Long.compareUnsigned(s, end) > 0) {
                if (end != 0) {
                    merged.add(MemorySegment.ofAddress(start).reinterpret(end - start));
                }
                start = s;
                end = e;
            } else {
                end = Math.max(end, e);
            }
        }
        merged.add(MemorySegment.ofAddress(start).reinterpret(end - start));
        List<MemorySegment> done = new ArrayList<>();
        try {
            for (MemorySegment region : merged) {
                register(region);
                done.add(region);
            }
        } catch (RuntimeException e) {
            for (MemorySegment region : done) {
                unregister(region.address());
            }
            throw e;
        }
        return merged;
    }

    /**
     * Unregisters the region that starts at {@code address}: peers stop resolving it, transfers in flight into it
     * finish first.
     *
     * @throws ConfigurationException {@code INVALID_PARAM} when no registered region starts there
     */
    synchronized void unregister(long address) {
        MemorySegment segment = user.remove(address);
        if (segment == null) {
            throw new ConfigurationException("unregisterMemory address=0x" + Long.toHexString(address)
                    + " (expected: the start of a region registered with registerMemory"
                    + (blocks.containsKey(address) ? "; this is an allocated block: free it" : "") + ")");
        }
        engine.unregister(segment);
    }

    /** Allocates a pool block and registers it. */
    synchronized MemorySegment allocate(long bytes) {
        MemorySegment block = pool.allocate(bytes);
        try {
            engine.register(block);
        } catch (RuntimeException e) {
            pool.free(block.address());
            throw e;
        }
        blocks.put(block.address(), block);
        return block;
    }

    /**
     * Frees a block from {@link #allocate}: unregistered first (transfers in flight into it finish), then its pages
     * go back to the system.
     *
     * @throws ConfigurationException {@code INVALID_PARAM} when no allocated block starts at {@code address}
     */
    synchronized void free(long address) {
        MemorySegment block = blocks.remove(address);
        if (block == null) {
            throw new ConfigurationException("free address=0x" + Long.toHexString(address) + " (expected: the start "
                    + "of a block from allocate)");
        }
        engine.unregister(block);
        pool.free(address);
    }

    private static void checkUserMemory(MemorySegment segment) {
        if (segment == null || !segment.isNative() || segment.address() == 0 || segment.byteSize() == 0) {
            throw new ConfigurationException("segment=" + segment + " (expected: a non-empty native segment: memory "
                    + "of an arena, a mapping, or MemorySegment.ofAddress(address).reinterpret(length))");
        }
    }
}
