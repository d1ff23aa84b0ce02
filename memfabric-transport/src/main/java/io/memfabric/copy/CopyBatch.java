package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.MemFabricException;
import io.memfabric.transport.Direction;
import io.memfabric.transport.Space;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable list of copies for {@link CopyEngine#execute(CopyBatch)} and {@link CopyEngine#submit(CopyBatch)}. Each
 * element has a direction, a local side (a segment and an offset in it) and a remote side, addressed one of two ways:
 * by global address (BM, SHM: {@link #addWrite}, {@link #addRead}, {@link #addCopy}), or by target — a rank, a space
 * and an address in it (TRANS: {@link #addWriteTo}, {@link #addReadFrom}). The engine groups the elements per peer
 * and issues the groups concurrently (upstream's {@code smem_bm_copy_batch}, whose non-SDMA engines regroup by rank
 * pair); within a group of a tcp peer, requests are pipelined on one connection.
 *
 * <p><b>Results.</b> After a run every element has a result: {@link #failure(int)} is {@code null} for an element
 * that moved all its bytes, or its failure. {@code execute} of an all-or-nothing run checks every element before any
 * byte moves and throws the first failure; a {@linkplain CopyEngine#executePartial partial run} checks and runs each
 * element on its own, so a bad element fails alone (upstream's newer partial-success batch).
 *
 * <p>Arguments are checked when an element is added (local side and length); remote sides are checked when the batch
 * runs. {@link #clear()} keeps the arrays, so a batch that is filled and run again and again allocates nothing once it
 * has grown to its largest size.
 *
 * <p>Thread safety: not thread safe. A batch must not be changed, or run by another call, while it runs (until
 * {@code execute} returns or the handle of {@code submit} completes).
 */
public final class CopyBatch {
    /** {@link #rank(int)} of an element whose remote sides are global addresses. */
    public static final int BY_GLOBAL_ADDRESS = -1;
    private static final int INITIAL_CAPACITY = 16;

    Direction[] directions;
    MemorySegment[] locals;
    long[] localOffsets;
    /** The target's rank, or {@link #BY_GLOBAL_ADDRESS}. */
    int[] ranks;
    /** The target's space (targets only). */
    Space[] spaces;
    /** READ: the source (GVA or target address); COPY: the source GVA. */
    long[] sources;
    /** WRITE: the destination (GVA or target address); COPY: the destination GVA. */
    long[] destinations;
    long[] lengths;
    /** Each element's failure in the last run, or null. */
    MemFabricException[] failures;
    private int size;
    /** Scratch of the engine's grouping and resolution, kept with the batch so that a re-run allocates nothing. */
    private long[] sortScratch = new long[0];
    int[] resolvedRanks = new int[0];
    Space[] resolvedSpaces = new Space[0];
    long[] resolvedAddresses = new long[0];

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
        localOffsets = new long[capacity];
        ranks = new int[capacity];
        spaces = new Space[capacity];
        sources = new long[capacity];
        destinations = new long[capacity];
        lengths = new long[capacity];
        failures = new MemFabricException[capacity];
    }

    /**
     * Adds a copy of {@code length} bytes from the start of {@code src} to {@code dstGva}.
     *
     * @return this batch
     * @throws ConfigurationException when {@code length} is not in {@code 1..src.byteSize()}
     */
    public CopyBatch addWrite(MemorySegment src, long dstGva, long length) {
        CopyArguments.checkLocal("src", src, length);
        add(Direction.WRITE, src, 0, BY_GLOBAL_ADDRESS, null, 0, dstGva, length);
        return this;
    }

    /**
     * Adds a copy of {@code length} bytes from {@code src} at {@code srcOffset} to {@code dstGva}.
     *
     * @return this batch
     * @throws ConfigurationException when the local range is not inside {@code src}, or {@code length < 1}
     */
    public CopyBatch addWrite(MemorySegment src, long srcOffset, long dstGva, long length) {
        CopyArguments.checkLocalRange("src", src, srcOffset, length);
        add(Direction.WRITE, src, srcOffset, BY_GLOBAL_ADDRESS, null, 0, dstGva, length);
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
        CopyArguments.checkLocalWritable(dst, length);
        add(Direction.READ, dst, 0, BY_GLOBAL_ADDRESS, null, srcGva, 0, length);
        return this;
    }

    /**
     * Adds a copy of {@code length} bytes from {@code srcGva} to {@code dst} at {@code dstOffset}.
     *
     * @return this batch
     * @throws ConfigurationException when the local range is not inside {@code dst}, {@code dst} is read-only, or
     *                                {@code length < 1}
     */
    public CopyBatch addRead(long srcGva, MemorySegment dst, long dstOffset, long length) {
        CopyArguments.checkLocalRange("dst", dst, dstOffset, length);
        CopyArguments.checkWritable(dst);
        add(Direction.READ, dst, dstOffset, BY_GLOBAL_ADDRESS, null, srcGva, 0, length);
        return this;
    }

    /**
     * Adds a copy of {@code length} bytes from {@code srcGva} to {@code dstGva}.
     *
     * @return this batch
     * @throws ConfigurationException when {@code length < 1}
     */
    public CopyBatch addCopy(long srcGva, long dstGva, long length) {
        CopyArguments.checkLength(length);
        add(Direction.COPY, null, 0, BY_GLOBAL_ADDRESS, null, srcGva, dstGva, length);
        return this;
    }

    /**
     * Adds a copy of {@code length} bytes from {@code src} at {@code srcOffset} to a target: rank {@code rank}'s
     * memory of {@code space} at {@code address} (see {@link CopyEngine#writeTo}).
     *
     * @return this batch
     * @throws ConfigurationException when the local range is not inside {@code src}, or {@code length < 1}
     */
    public CopyBatch addWriteTo(MemorySegment src, long srcOffset, int rank, Space space, long address,
                                long length) {
        CopyArguments.checkLocalRange("src", src, srcOffset, length);
        add(Direction.WRITE, src, srcOffset, rank, Objects.requireNonNull(space, "space"), 0, address, length);
        return this;
    }

    /**
     * Adds a copy of {@code length} bytes from a target to {@code dst} at {@code dstOffset} (see
     * {@link CopyEngine#readFrom}).
     *
     * @return this batch
     * @throws ConfigurationException when the local range is not inside {@code dst}, {@code dst} is read-only, or
     *                                {@code length < 1}
     */
    public CopyBatch addReadFrom(int rank, Space space, long address, MemorySegment dst, long dstOffset,
                                 long length) {
        CopyArguments.checkLocalRange("dst", dst, dstOffset, length);
        CopyArguments.checkWritable(dst);
        add(Direction.READ, dst, dstOffset, rank, Objects.requireNonNull(space, "space"), address, 0, length);
        return this;
    }

    /**
     * Points every element at one target rank and space, in one direction: a batch of transfers to one peer that is
     * filled before it is known which way they go (a TRANS batch, written or read). Every element must be a target
     * element ({@link #addWriteTo} or {@link #addReadFrom}); its remote address stays where it is.
     *
     * @throws ConfigurationException when an element is addressed by global address, or a READ's local side is
     *                                read-only (naming the element)
     */
    public void retarget(Direction direction, int rank, Space space) {
        if (direction == Direction.COPY) {
            throw new ConfigurationException("retarget direction=COPY (expected: WRITE or READ)");
        }
        Objects.requireNonNull(space, "space");
        for (int i = 0; i < size; i++) {
            if (ranks[i] == BY_GLOBAL_ADDRESS) {
                throw new ConfigurationException("batch element " + i + " is addressed by global address (expected: "
                        + "a target element to retarget)");
            }
            if (direction == Direction.READ && locals[i].isReadOnly()) {
                throw new ConfigurationException("batch element " + i + ": the local segment is read-only "
                        + "(expected: a writable segment to read into)");
            }
            if (directions[i] != direction) {
                long address = directions[i] == Direction.WRITE ? destinations[i] : sources[i];
                sources[i] = direction == Direction.READ ? address : 0;
                destinations[i] = direction == Direction.WRITE ? address : 0;
                directions[i] = direction;
            }
            ranks[i] = rank;
            spaces[i] = space;
        }
    }

    /** @return element {@code i}'s local offset. */
    public long localOffset(int i) {
        Objects.checkIndex(i, size);
        return localOffsets[i];
    }

    /** @return element {@code i}'s remote address (the target address of a WRITE or READ element). */
    public long remoteAddress(int i) {
        Objects.checkIndex(i, size);
        return directions[i] == Direction.READ ? sources[i] : destinations[i];
    }

    /** Removes every element; keeps the capacity. */
    public void clear() {
        Arrays.fill(locals, 0, size, null);
        Arrays.fill(failures, 0, size, null);
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

    /** @return the source of element {@code i}: a GVA, or a target address (0 for a WRITE). */
    public long sourceGva(int i) {
        Objects.checkIndex(i, size);
        return sources[i];
    }

    /** @return the destination of element {@code i}: a GVA, or a target address (0 for a READ). */
    public long destinationGva(int i) {
        Objects.checkIndex(i, size);
        return destinations[i];
    }

    /** @return the target rank of element {@code i}, or {@link #BY_GLOBAL_ADDRESS}. */
    public int rank(int i) {
        Objects.checkIndex(i, size);
        return ranks[i];
    }

    /** @return the length of element {@code i}, bytes. */
    public long length(int i) {
        Objects.checkIndex(i, size);
        return lengths[i];
    }

    /** @return element {@code i}'s failure in the last run, or {@code null} when it succeeded (or has not run). */
    public MemFabricException failure(int i) {
        Objects.checkIndex(i, size);
        return failures[i];
    }

    /** @return how many elements failed in the last run. */
    public int failedCount() {
        int failed = 0;
        for (int i = 0; i < size; i++) {
            if (failures[i] != null) {
                failed++;
            }
        }
        return failed;
    }

    private void add(Direction direction, MemorySegment local, long localOffset, int rank, Space space, long source,
                     long destination, long length) {
        if (size == directions.length) {
            int capacity = Math.max(size + 1, size * 2);
            directions = Arrays.copyOf(directions, capacity);
            locals = Arrays.copyOf(locals, capacity);
            localOffsets = Arrays.copyOf(localOffsets, capacity);
            ranks = Arrays.copyOf(ranks, capacity);
            spaces = Arrays.copyOf(spaces, capacity);
            sources = Arrays.copyOf(sources, capacity);
            destinations = Arrays.copyOf(destinations, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
            failures = Arrays.copyOf(failures, capacity);
        }
        directions[size] = direction;
        locals[size] = local;
        localOffsets[size] = localOffset;
        ranks[size] = rank;
        spaces[size] = space;
        sources[size] = source;
        destinations[size] = destination;
        lengths[size] = length;
        failures[size] = null;
        size++;
    }

    /** Makes room in the scratch arrays for a run of {@code n} elements; returns the grouping keys' array. */
    long[] prepareRun(int n) {
        if (sortScratch.length < n) {
            int capacity = Math.max(n, directions.length);
            sortScratch = new long[capacity];
            resolvedRanks = new int[capacity];
            resolvedSpaces = new Space[capacity];
            resolvedAddresses = new long[capacity];
        }
        Arrays.fill(failures, 0, n, null);
        return sortScratch;
    }

    @Override
    public String toString() {
        return "CopyBatch{" + size + " elements}";
    }
}
