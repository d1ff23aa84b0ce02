package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;
import io.memfabric.transport.Direction;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable list of copies for {@link CopyEngine#execute(CopyBatch)} and {@link CopyEngine#submit(CopyBatch)}: each
 * element has a direction, a local segment or a source address, a destination address, and a length. The engine
 * groups the elements per peer and route and issues the groups concurrently (upstream's {@code smem_bm_copy_batch},
 * whose non-SDMA engines regroup by rank pair); within a group, tcp requests are pipelined on one connection.
 *
 * <p>Arguments are checked when an element is added (local side and length); global addresses are checked against the
 * layout when the batch runs. {@link #clear()} keeps the arrays, so a batch that is filled and run again and again
 * allocates nothing once it has grown to its largest size.
 *
 * <p>Thread safety: not thread safe. A batch must not be changed, or run by another call, while it runs (until
 * {@code execute} returns or the handle of {@code submit} completes).
 */
public final class CopyBatch {
    private static final int INITIAL_CAPACITY = 16;

    Direction[] directions;
    MemorySegment[] locals;
    long[] sourceGvas;
    long[] destinationGvas;
    long[] lengths;
    private int size;
    /** Scratch of the engine's grouping, kept with the batch so that a re-run allocates nothing. */
    private long[] sortScratch = new long[0];

    /** An empty batch. */
    public CopyBatch() {
        this(INITIAL_CAPACITY);
    }

    /** @param capacity the number of elements to make room for, at least 1 */
    public CopyBatch(int capacity) {
        if (capacity < 1) {
            throw new ConfigurationException("capacity=" + capacity + " (expected: >= 1)");
        }
        directions = new Direction[capacity];
        locals = new MemorySegment[capacity];
        sourceGvas = new long[capacity];
        destinationGvas = new long[capacity];
        lengths = new long[capacity];
    }

    /**
     * Adds a copy of {@code length} bytes from the start of {@code src} to {@code dstGva}.
     *
     * @return this batch
     * @throws ConfigurationException when {@code length} is not in {@code 1..src.byteSize()}
     */
    public CopyBatch addWrite(MemorySegment src, long dstGva, long length) {
        checkLocal("src", src, length);
        add(Direction.WRITE, src, 0, dstGva, length);
        return this;
    }

    /**
     * Adds a copy of {@code length} bytes from {@code srcGva} to the start of {@code dst}.
     *
     * @return this batch
     * @throws ConfigurationException when {@code length} is not in {@code 1..dst.byteSize()}, or {@code dst} is
     *                                read-only
     */
    public CopyBatch addRead(long srcGva, MemorySegment dst, long length) {
        checkLocal("dst", dst, length);
        if (dst.isReadOnly()) {
            throw new ConfigurationException("dst is read-only (expected: a writable segment)");
        }
        add(Direction.READ, dst, srcGva, 0, length);
        return this;
    }

    /**
     * Adds a copy of {@code length} bytes from {@code srcGva} to {@code dstGva}.
     *
     * @return this batch
     * @throws ConfigurationException when {@code length < 1}
     */
    public CopyBatch addCopy(long srcGva, long dstGva, long length) {
        if (length < 1) {
            throw new ConfigurationException("length=" + length + " (expected: >= 1)");
        }
        add(Direction.COPY, null, srcGva, dstGva, length);
        return this;
    }

    /** Removes every element; keeps the capacity. */
    public void clear() {
        Arrays.fill(locals, 0, size, null);
        size = 0;
    }

    /** @return the number of elements. */
    public int size() {
        return size;
    }

    /** @return whether the batch has no elements. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** @return the direction of element {@code i}. */
    public Direction direction(int i) {
        Objects.checkIndex(i, size);
        return directions[i];
    }

    /** @return the local segment of element {@code i} (the source of a WRITE, the destination of a READ), or null. */
    public MemorySegment local(int i) {
        Objects.checkIndex(i, size);
        return locals[i];
    }

    /** @return the source GVA of element {@code i} (0 for a WRITE). */
    public long sourceGva(int i) {
        Objects.checkIndex(i, size);
        return sourceGvas[i];
    }

    /** @return the destination GVA of element {@code i} (0 for a READ). */
    public long destinationGva(int i) {
        Objects.checkIndex(i, size);
        return destinationGvas[i];
    }

    /** @return the length of element {@code i}, bytes. */
    public long length(int i) {
        Objects.checkIndex(i, size);
        return lengths[i];
    }

    private void add(Direction direction, MemorySegment local, long srcGva, long dstGva, long length) {
        if (size == directions.length) {
            int capacity = Math.max(size + 1, size * 2);
            directions = Arrays.copyOf(directions, capacity);
            locals = Arrays.copyOf(locals, capacity);
            sourceGvas = Arrays.copyOf(sourceGvas, capacity);
            destinationGvas = Arrays.copyOf(destinationGvas, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
        }
        directions[size] = direction;
        locals[size] = local;
        sourceGvas[size] = srcGva;
        destinationGvas[size] = dstGva;
        lengths[size] = length;
        size++;
    }

    private static void checkLocal(String name, MemorySegment segment, long length) {
        Objects.requireNonNull(segment, name);
        if (length < 1 || length > segment.byteSize()) {
            throw new ConfigurationException("length=" + length + " (expected: 1.." + segment.byteSize() + ", the size "
                    + "of " + name + ")");
        }
    }

    /** @return scratch space of at least {@code n} longs for the engine's grouping. */
    long[] sortScratch(int n) {
        if (sortScratch.length < n) {
            sortScratch = new long[Math.max(n, directions.length)];
        }
        return sortScratch;
    }

    @Override
    public String toString() {
        return "CopyBatch{" + size + " elements}";
    }
}
