package io.memfabric.bm;

import io.memfabric.copy.CopyBatch;
import io.memfabric.transport.Direction;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A reusable list of copies, executed together by {@link BigMemorySpace#copyBatch} or
 * {@link BigMemorySpace#copyBatchAsync} (upstream {@code smem_bm_copy_batch}, but with a direction per element). The
 * elements are grouped by peer for execution; their order of completion is unspecified, so no element may read what
 * another one of the same batch writes.
 *
 * <p>{@code add} checks what it can without a pool (type fits the overload, size &gt; 0, segment sizes, HOST window
 * for the {@code GH} types) and throws {@code INVALID_PARAM} at once; the range checks run at execution, for every
 * element before any byte moves. {@link #clear()} empties the batch for reuse and keeps its capacity, so a batch that
 * is filled the same way every iteration allocates nothing after the first.
 *
 * <p>Segments of a confined arena are accepted; a batch that names one runs on the thread that calls
 * {@link BigMemorySpace#copyBatch} (element by element), and cannot be run asynchronously.
 *
 * <p>Thread safety: not thread safe. Fill and execute it from one thread, and do not modify it while an asynchronous
 * execution of it is in flight.
 */
public final class BigMemoryBatch {
    private static final String WHAT = "copyBatch add";

    /**
     * The elements themselves, in the copy engine's form: the engine runs this batch as it is, so an execution copies
     * nothing. Only the copy type of each element (for the range checks) is kept beside it.
     */
    private final CopyBatch elements;
    private CopyType[] types;
    private long totalBytes;
    private int confinedSegments;

    /** An empty batch with room for 16 elements (it grows as needed). */
    public BigMemoryBatch() {
        this(16);
    }

    /** @param capacity how many elements it holds before it grows, at least 1 */
    public BigMemoryBatch(int capacity) {
        if (capacity < 1) {
            throw CopyChecks.invalid("capacity=" + capacity + " (expected: >= 1)");
        }
        elements = new CopyBatch(capacity);
        types = new CopyType[capacity];
    }

    /**
     * Adds a local-to-global copy: {@code size} bytes from the start of {@code src} to {@code dstGva}.
     *
     * @param src    local memory, at least {@code size} bytes
     * @param dstGva the destination
     * @param size   bytes, {@code > 0}
     * @param type L2G, H2G, L2GH, H2GH or AUTO
     * @return this
     * @throws io.memfabric.error.MemFabricException {@code INVALID_PARAM} naming the bad value
     */
    public BigMemoryBatch add(MemorySegment src, long dstGva, long size, CopyType type) {
        return add(src, 0, dstGva, size, type);
    }

    /**
     * Adds a local-to-global copy from {@code src} at {@code srcOffset}, without a slice: the form for callers that
     * address local memory by offset in one large segment.
     *
     * @param srcOffset where the bytes start in {@code src}, {@code 0..src.byteSize() - size}
     * @return this
     * @throws io.memfabric.error.MemFabricException {@code INVALID_PARAM} naming the bad value
     * @see #add(MemorySegment, long, long, CopyType)
     */
    public BigMemoryBatch add(MemorySegment src, long srcOffset, long dstGva, long size, CopyType type) {
        CopyChecks.checkWrite(WHAT, src, srcOffset, dstGva, size, type);
        elements.addWrite(src, srcOffset, dstGva, size);
        appended(type, src, size);
        return this;
    }

    /**
     * Adds a global-to-local copy: {@code size} bytes from {@code srcGva} to the start of {@code dst}.
     *
     * @param srcGva the source
     * @param dst    local memory, at least {@code size} bytes, writable
     * @param size   bytes, {@code > 0}
     * @param type G2L, G2H, GH2L, GH2H or AUTO
     * @return this
     * @throws io.memfabric.error.MemFabricException {@code INVALID_PARAM} naming the bad value
     */
    public BigMemoryBatch add(long srcGva, MemorySegment dst, long size, CopyType type) {
        return add(srcGva, dst, 0, size, type);
    }

    /**
     * Adds a global-to-local copy to {@code dst} at {@code dstOffset}, without a slice.
     *
     * @param dstOffset where the bytes go in {@code dst}, {@code 0..dst.byteSize() - size}
     * @return this
     * @throws io.memfabric.error.MemFabricException {@code INVALID_PARAM} naming the bad value
     * @see #add(long, MemorySegment, long, CopyType)
     */
    public BigMemoryBatch add(long srcGva, MemorySegment dst, long dstOffset, long size, CopyType type) {
        CopyChecks.checkRead(WHAT, srcGva, dst, dstOffset, size, type);
        elements.addRead(srcGva, dst, dstOffset, size);
        appended(type, dst, size);
        return this;
    }

    /**
     * Adds a global-to-global copy.
     *
     * @param srcGva the source
     * @param dstGva the destination
     * @param size   bytes, {@code > 0}
     * @param type G2G or AUTO
     * @return this
     * @throws io.memfabric.error.MemFabricException {@code INVALID_PARAM} naming the bad value
     */
    public BigMemoryBatch add(long srcGva, long dstGva, long size, CopyType type) {
        CopyChecks.checkCopy(WHAT, srcGva, dstGva, size, type);
        elements.addCopy(srcGva, dstGva, size);
        appended(type, null, size);
        return this;
    }

    /** @return the number of elements. */
    public int size() {
        return elements.size();
    }

    /** @return whether the batch has no element. */
    public boolean isEmpty() {
        return elements.isEmpty();
    }

    /** @return the sum of the elements' sizes, bytes. */
    public long totalBytes() {
        return totalBytes;
    }

    /** Removes every element (and drops the references to their segments); the capacity stays. */
    public void clear() {
        Arrays.fill(types, 0, elements.size(), null);
        elements.clear();
        totalBytes = 0;
        confinedSegments = 0;
    }

    /** Records the copy type and the totals of the element just added to {@link #elements}. */
    private void appended(CopyType type, MemorySegment segment, long size) {
        int index = elements.size() - 1;
        if (index == types.length) {
            types = Arrays.copyOf(types, Math.max(16, types.length * 2));
        }
        types[index] = type;
        totalBytes += size;
        if (segment != null && CopyChecks.isConfined(segment)) {
            confinedSegments++;
        }
    }

    /** @return the elements in the copy engine's form, to run as they are. */
    CopyBatch engineBatch() {
        return elements;
    }

    /** @return how many elements name a segment of a confined arena (such a batch runs on the calling thread). */
    int confinedSegments() {
        return confinedSegments;
    }

    /** @return the direction of element {@code i}: WRITE (local to GVA), READ (GVA to local) or COPY (G2G). */
    Direction kind(int i) {
        return elements.direction(i);
    }

    CopyType type(int i) {
        return types[i];
    }

    /** @return the local segment of element {@code i} (source of a WRITE, destination of a READ), or null. */
    MemorySegment segment(int i) {
        return elements.local(i);
    }

    /** @return where element {@code i}'s bytes start in its local segment. */
    long localOffset(int i) {
        return elements.localOffset(i);
    }

    long srcGva(int i) {
        return elements.sourceGva(i);
    }

    long dstGva(int i) {
        return elements.destinationGva(i);
    }

    long sizeOf(int i) {
        return elements.length(i);
    }

    @Override
    public String toString() {
        return "BigMemoryBatch{" + elements.size() + " elements, " + totalBytes + " bytes}";
    }
}
