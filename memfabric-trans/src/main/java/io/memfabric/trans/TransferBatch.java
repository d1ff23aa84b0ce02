package io.memfabric.trans;

import io.memfabric.copy.CopyBatch;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.transport.Space;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable list of transfers between local memory and one peer's registered memory, run in one call by
 * {@link TransferEngine#batchWrite} or {@link TransferEngine#batchRead} (upstream {@code smem_trans_batch_write}: a KV
 * cache is a hundred blocks and more at discrete addresses). Each element is a local range ({@code local} from
 * {@code localOffset}) and a peer address (the peer's own address in memory it registered or allocated) of the same
 * length.
 *
 * <p><b>Results per element</b> (upstream's newer partial-success batch): after a run, {@link #status(int)} is
 * {@link #OK} or the negative {@link ErrorCode} value of that element's failure, and {@link #failure(int)} says why;
 * elements that succeeded moved all their bytes, elements that failed may have moved some. A new run resets them.
 *
 * <p>{@link #clear()} keeps the arrays, so a batch filled the same way again and again allocates nothing once it has
 * grown to its largest size.
 *
 * <p>Thread safety: not thread safe; fill it, run it, and read its results from one thread at a time. It must not be
 * changed while a run is in flight (until the handle of an asynchronous run is done).
 */
public final class TransferBatch {
    /** {@link #status(int)}: the element moved all its bytes. */
    public static final int OK = 0;
    /** {@link #status(int)}: the element has not run (yet). */
    public static final int NOT_RUN = 1;

    private MemorySegment[] locals;
    private long[] localOffsets;
    private long[] peerAddresses;
    private long[] lengths;
    private int[] statuses;
    private String[] failures;
    private int size;
    private long totalBytes;
    /** The elements in the copy engine's form, refilled at each run (no allocation once grown). */
    private final CopyBatch targets = new CopyBatch();

    /** An empty batch with room for 128 elements (it grows as needed). */
    public TransferBatch() {
        this(128);
    }

    /**
     * @param capacity how many elements it holds before it grows, {@code >= 1}
     * @throws ConfigurationException for a capacity below 1
     */
    public TransferBatch(int capacity) {
        if (capacity < 1) {
            throw new ConfigurationException("capacity=" + capacity + " (expected: >= 1)");
        }
        locals = new MemorySegment[capacity];
        localOffsets = new long[capacity];
        peerAddresses = new long[capacity];
        lengths = new long[capacity];
        statuses = new int[capacity];
        failures = new String[capacity];
    }

    /**
     * Adds a transfer of {@code length} bytes between {@code local} at {@code localOffset} and {@code peerAddress}.
     *
     * @return this batch
     * @throws ConfigurationException when the local range is not inside {@code local} or {@code length < 1}
     */
    public TransferBatch add(MemorySegment local, long localOffset, long peerAddress, long length) {
        Objects.requireNonNull(local, "local");
        if (length < 1 || localOffset < 0 || length > local.byteSize() - localOffset) {
            throw new ConfigurationException("batch element " + size + ": localOffset=" + localOffset + " length="
                    + length + " (expected: length >= 1 and the range inside the local segment of "
                    + local.byteSize() + " bytes)");
        }
        if (size == locals.length) {
            grow();
        }
        locals[size] = local;
        localOffsets[size] = localOffset;
        peerAddresses[size] = peerAddress;
        lengths[size] = length;
        statuses[size] = NOT_RUN;
        failures[size] = null;
        size++;
        totalBytes += length;
        return this;
    }

    /** Adds a transfer of the whole of {@code local} to or from {@code peerAddress}. */
    public TransferBatch add(MemorySegment local, long peerAddress) {
        return add(local, 0, peerAddress, local.byteSize());
    }

    private void grow() {
        int capacity = size * 2;
        locals = Arrays.copyOf(locals, capacity);
        localOffsets = Arrays.copyOf(localOffsets, capacity);
        peerAddresses = Arrays.copyOf(peerAddresses, capacity);
        lengths = Arrays.copyOf(lengths, capacity);
        statuses = Arrays.copyOf(statuses, capacity);
        failures = Arrays.copyOf(failures, capacity);
    }

    /** Removes every element (and forgets their segments); keeps the capacity. */
    public void clear() {
        Arrays.fill(locals, 0, size, null);
        Arrays.fill(failures, 0, size, null);
        size = 0;
        totalBytes = 0;
    }

    /** @return the number of elements. */
    public int size() {
        return size;
    }

    /** @return whether the batch has no element. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** @return the sum of the elements' lengths, bytes. */
    public long totalBytes() {
        return totalBytes;
    }

    /** @return the local segment of element {@code i}. */
    public MemorySegment local(int i) {
        Objects.checkIndex(i, size);
        return locals[i];
    }

    /** @return where element {@code i} starts in its local segment. */
    public long localOffset(int i) {
        Objects.checkIndex(i, size);
        return localOffsets[i];
    }

    /** @return the peer address of element {@code i}. */
    public long peerAddress(int i) {
        Objects.checkIndex(i, size);
        return peerAddresses[i];
    }

    /** @return the length of element {@code i}, bytes. */
    public long length(int i) {
        Objects.checkIndex(i, size);
        return lengths[i];
    }

    /**
     * @return {@link #OK}, {@link #NOT_RUN}, or the negative {@link ErrorCode} value of element {@code i}'s failure
     *         after the last run ({@code ADDRESS_OUT_OF_RANGE}: outside the peer's registered memory;
     *         {@code PEER_UNAVAILABLE}: the peer is gone; ...)
     */
    public int status(int i) {
        Objects.checkIndex(i, size);
        return statuses[i];
    }

    /** @return why element {@code i} failed in the last run, or {@code null} when it did not. */
    public String failure(int i) {
        Objects.checkIndex(i, size);
        return failures[i];
    }

    /** @return how many elements failed in the last run. */
    public int failedCount() {
        int failed = 0;
        for (int i = 0; i < size; i++) {
            if (statuses[i] < 0) {
                failed++;
            }
        }
        return failed;
    }

    /**
     * Marks every element not run and fills the copy engine's batch for one run: every element becomes a target in
     * the peer's registered memory.
     */
    CopyBatch toCopyBatch(boolean write, int rank) {
        Arrays.fill(statuses, 0, size, NOT_RUN);
        Arrays.fill(failures, 0, size, null);
        targets.clear();
        for (int i = 0; i < size; i++) {
            if (write) {
                targets.addWriteTo(locals[i], localOffsets[i], rank, Space.REGISTERED, peerAddresses[i], lengths[i]);
            } else {
                targets.addReadFrom(rank, Space.REGISTERED, peerAddresses[i], locals[i], localOffsets[i], lengths[i]);
            }
        }
        return targets;
    }

    /**
     * Takes each element's result from the copy engine's batch after a run.
     *
     * @return how many elements failed
     */
    int collectResults(String peer, String op) {
        int failed = 0;
        for (int i = 0; i < size; i++) {
            MemFabricException failure = targets.failure(i);
            if (failure == null) {
                statuses[i] = OK;
                failures[i] = null;
            } else {
                failed++;
                statuses[i] = failure.code().value();
                failures[i] = op + " element " + i + " (" + peer + " peerAddress=0x"
                        + Long.toHexString(peerAddresses[i]) + " length=" + lengths[i] + "): " + failure.getMessage();
            }
        }
        return failed;
    }

    @Override
    public String toString() {
        return "TransferBatch{" + size + " elements, " + totalBytes + " bytes" + (size > 0 && statuses[0] != NOT_RUN
                ? ", " + failedCount() + " failed" : "") + "}";
    }
}
