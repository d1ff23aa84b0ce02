package io.memfabric.bm;

import io.memfabric.copy.CopyBatch;

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
    /** Element kind: local segment to GVA. */
    static final byte WRITE = 0;
    /** Element kind: GVA to local segment. */
    static final byte READ = 1;
    /** Element kind: GVA to GVA. */
    static final byte COPY = 2;

    private static final String WHAT = "copyBatch add";

    private byte[] kinds;
    private CopyType[] types;
    private MemorySegment[] segments;
    private long[] srcGvas;
    private long[] dstGvas;
    private long[] sizes;
    private int count;
    private long totalBytes;
    private int confinedSegments;
    /** The copy engine's form of this batch, refilled at each execution; made on first use. */
    private CopyBatch engineBatch;

    /** An empty batch with room for 16 elements (it grows as needed). */
    public BigMemoryBatch() {
        this(16);
    }

    /** @param capacity how many elements it holds before it grows, at least 1 */
    public BigMemoryBatch(int capacity) {
        if (capacity < 1) {
            throw CopyChecks.invalid("capacity=" + capacity + " (expected: >= 1)");
        }
        kinds = new byte[capacity];
        types = new CopyType[capacity];
        segments = new MemorySegment[capacity];
        srcGvas = new long[capacity];
        dstGvas = new long[capacity];
        sizes = new long[capacity];
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
        CopyChecks.checkWrite(WHAT, src, dstGva, size, type);
        append(WRITE, type, src, 0, dstGva, size);
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
        CopyChecks.checkRead(WHAT, srcGva, dst, size, type);
        append(READ, type, dst, srcGva, 0, size);
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
        append(COPY, type, null, srcGva, dstGva, size);
        return this;
    }

    /** @return the number of elements. */
    public int size() {
        return count;
    }

    /** @return whether the batch has no element. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** @return the sum of the elements' sizes, bytes. */
    public long totalBytes() {
        return totalBytes;
    }

    /** Removes every element (and drops the references to their segments); the capacity stays. */
    public void clear() {
        Arrays.fill(segments, 0, count, null);
        Arrays.fill(types, 0, count, null);
        if (engineBatch != null) {
            engineBatch.clear();
        }
        count = 0;
        totalBytes = 0;
        confinedSegments = 0;
    }

    private void append(byte kind, CopyType type, MemorySegment segment, long srcGva, long dstGva, long size) {
        if (count == kinds.length) {
            int capacity = Math.max(16, kinds.length * 2);
            kinds = Arrays.copyOf(kinds, capacity);
            types = Arrays.copyOf(types, capacity);
            segments = Arrays.copyOf(segments, capacity);
            srcGvas = Arrays.copyOf(srcGvas, capacity);
            dstGvas = Arrays.copyOf(dstGvas, capacity);
            sizes = Arrays.copyOf(sizes, capacity);
        }
        kinds[count] = kind;
        types[count] = type;
        segments[count] = segment;
        srcGvas[count] = srcGva;
        dstGvas[count] = dstGva;
        sizes[count] = size;
        count++;
        totalBytes += size;
        if (segment != null && CopyChecks.isConfined(segment)) {
            confinedSegments++;
        }
    }

    CopyBatch engineBatch() {
        if (engineBatch == null) {
            engineBatch = new CopyBatch(kinds.length);
        }
        return engineBatch;
    }

    /** @return how many elements name a segment of a confined arena (such a batch runs on the calling thread). */
    int confinedSegments() {
        return confinedSegments;
    }

    byte kind(int i) {
        return kinds[i];
    }

    CopyType type(int i) {
        return types[i];
    }

    /** @return the local segment of element {@code i} (source of a WRITE, destination of a READ), or null. */
    MemorySegment segment(int i) {
        return segments[i];
    }

    long srcGva(int i) {
        return srcGvas[i];
    }

    long dstGva(int i) {
        return dstGvas[i];
    }

    long sizeOf(int i) {
        return sizes[i];
    }

    @Override
    public String toString() {
        return "BigMemoryBatch{" + count + " elements, " + totalBytes + " bytes}";
    }
}
