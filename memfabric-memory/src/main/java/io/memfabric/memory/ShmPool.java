package io.memfabric.memory;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.nativeio.NativeCallException;
import io.memfabric.nativeio.NativeMemory;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Host memory that same-host peers map, handed out in blocks (upstream {@code smem_trans_malloc}): one sparse
 * shared-memory file ({@link ShmSlot#createSparse}) of {@code capacity} bytes, of which only the allocated blocks hold
 * pages. {@link #allocate} finds a free range (first fit, page-aligned), populates its pages, and returns it;
 * {@link #free} gives the pages back to the system ({@code MADV_REMOVE}) and the range to the free list.
 *
 * <p>Peers that map the file see a block's bytes as soon as it is allocated (the same pages); they must only touch
 * blocks the owner has published (the caller registers each block, so peers check it first).
 *
 * <p>Thread safety: {@link #allocate} and {@link #free} are serialised; {@link #slot()} from any thread;
 * {@link #close()} once no block is in use.
 */
public final class ShmPool implements AutoCloseable {
    private final ShmSlot slot;
    private final long pageBytes;
    /** Free ranges by offset (merged with their neighbours on free). */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    /** Allocated blocks: offset to length. */
    private final Map<Long, Long> allocated = new HashMap<>();
    private final CloseOnce closed = new CloseOnce();
    private long usedBytes;

    private ShmPool(ShmSlot slot) {
        this.slot = slot;
        this.pageBytes = NativeMemory.pageSize();
        free.put(0L, slot.sizeBytes() / pageBytes * pageBytes);
    }

    /**
     * Creates this process's pool.
     *
     * @param fabricId      the fabric's id (in the file name)
     * @param objectId      the pool's object id (in the file name)
     * @param rank          this process's rank
     * @param capacityBytes the most bytes the pool may hand out, a multiple of the page size; the file is sparse, so
     *                      this costs address space, not memory
     * @param options       where the file lives
     * @return the pool; the caller closes it
     * @throws ConfigurationException for a bad capacity
     */
    public static ShmPool create(String fabricId, String objectId, int rank, long capacityBytes, ShmOptions options) {
        if (capacityBytes <= 0 || capacityBytes % NativeMemory.pageSize() != 0) {
            throw new ConfigurationException("pool capacityBytes=" + capacityBytes + " (expected: a positive multiple "
                    + "of the page size " + NativeMemory.pageSize() + ")");
        }
        return new ShmPool(ShmSlot.createSparse(fabricId, objectId, rank, MemoryType.HOST, capacityBytes, options));
    }

    /** @return the pool's slot: its memory and the descriptor peers map it by. */
    public ShmSlot slot() {
        return slot;
    }

    /**
     * Allocates a block and populates its pages.
     *
     * @param bytes at least 1; rounded up to whole pages
     * @return the block, a slice of the pool's memory (its address is the block's address in this process)
     * @throws ConfigurationException for {@code bytes < 1} or more than the pool's capacity
     * @throws MemFabricException     {@code MALLOC_FAILED} when no free range is large enough, or the system has no
     *                                memory for its pages (e.g. a full {@code /dev/shm}); nothing is allocated then
     */
    public synchronized MemorySegment allocate(long bytes) {
        ensureOpen();
        long capacity = slot.sizeBytes();
        if (bytes < 1 || bytes > capacity) {
            throw new ConfigurationException("allocate bytes=" + bytes + " (expected: 1.." + capacity
                    + ", the pool's capacity)");
        }
        long length = (bytes + pageBytes - 1) / pageBytes * pageBytes;
        Long offset = null;
        for (Map.Entry<Long, Long> range : free.entrySet()) {
            if (range.getValue() >= length) {
                offset = range.getKey();
                break;
            }
        }
        if (offset == null) {
            throw new MemFabricException(ErrorCode.MALLOC_FAILED, "allocate bytes=" + bytes + ": no free range of "
                    + length + " bytes in the pool (" + usedBytes + " of " + capacity + " bytes in use)");
        }
        long rangeLength = free.remove(offset);
        if (rangeLength > length) {
            free.put(offset + length, rangeLength - length);
        }
        try {
            NativeMemory.populateWrite(slot.segment(), offset, length);
        } catch (NativeCallException e) {
            release(offset, length);
            throw new MemFabricException(ErrorCode.MALLOC_FAILED, "allocate bytes=" + bytes + ": the system has no "
                    + "memory for its pages (" + e.getMessage() + ")", e);
        }
        allocated.put(offset, length);
        usedBytes += length;
        return slot.segment().asSlice(offset, bytes);
    }

    /**
     * Frees a block: its pages go back to the system, its range back to the pool.
     *
     * @param address the block's address (from {@link #allocate})
     * @return {@code false} when no block starts at {@code address}
     */
    public synchronized boolean free(long address) {
        ensureOpen();
        long offset = address - slot.segment().address();
        Long length = offset < 0 ? null : allocated.remove(offset);
        if (length == null) {
            return false;
        }
        usedBytes -= length;
        release(offset, length);
        return true;
    }

    /** Returns a range's pages and puts the range back, merged with free neighbours. */
    private void release(long offset, long length) {
        NativeMemory.release(slot.segment(), offset, length);
        long start = offset;
        long end = offset + length;
        Map.Entry<Long, Long> before = free.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            free.remove(start);
        }
        Long after = free.get(end);
        if (after != null) {
            free.remove(end);
            end += after;
        }
        free.put(start, end - start);
    }

    /** @return the bytes handed out (whole pages). */
    public synchronized long usedBytes() {
        return usedBytes;
    }

    /** @return the pool's capacity, bytes. */
    public long capacityBytes() {
        return slot.sizeBytes();
    }

    private void ensureOpen() {
        if (closed.isClosed()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "pool " + slot.name() + " is closed");
        }
    }

    /** Unmaps the pool and deletes its file (its pages go with it). Idempotent. */
    @Override
    public void close() {
        if (closed.begin()) {
            slot.close();
        }
    }

    @Override
    public String toString() {
        return "ShmPool{" + slot.name() + ", " + usedBytes + " of " + slot.sizeBytes() + " bytes in use}";
    }
}
