package io.memfabric.trans;

import io.memfabric.copy.CopyBatch;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.transport.Direction;
import io.memfabric.transport.Space;

import java.lang.foreign.MemorySegment;
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
 * elements that succeeded moved all their bytes, elements that failed may have moved some. A new run replaces them.
 *
 * <p>The elements live in the copy engine's own batch form, which a run points at the peer and the direction: an
 * execution copies nothing. {@link #clear()} keeps the arrays, so a batch filled the same way again and again allocates
 * nothing once it has grown to its largest size.
 *
 * <p>Thread safety: not thread safe; fill it, run it, and read its results from one thread at a time. It must not be
 * changed while a run is in flight (until the handle of an asynchronous run is done).
 */
public final class TransferBatch {
    /** {@link #status(int)}: the element moved all its bytes. */
    public static final int OK = 0;
    /** {@link #status(int)}: the element has not run (yet). */
    public static final int NOT_RUN = 1;

    private final CopyBatch elements;
    private long totalBytes;
    /** Whether the elements' results are those of a completed run (cleared by a change). */
    private boolean ran;
    /** The peer and operation of the last run, for failure messages. */
    private String lastPeer;
    private String lastOp;

    /** An empty batch with room for 128 elements (it grows as needed). */
    public TransferBatch() {
        this(128);
    }

    /**
     * @param capacity how many elements it holds before it grows, {@code >= 1}
     * @throws ConfigurationException for a capacity below 1
     */
    public TransferBatch(int capacity) {
        elements = new CopyBatch(capacity);
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
            throw new ConfigurationException("batch element " + elements.size() + ": localOffset=" + localOffset
                    + " length=" + length + " (expected: length >= 1 and the range inside the local segment of "
                    + local.byteSize() + " bytes)");
        }
        // The target is filled in by the run (rank, direction); until then the element is a write to rank 0.
        elements.addWriteTo(local, localOffset, 0, Space.REGISTERED, peerAddress, length);
        totalBytes += length;
        ran = false;
        return this;
    }

    /** Adds a transfer of the whole of {@code local} to or from {@code peerAddress}. */
    public TransferBatch add(MemorySegment local, long peerAddress) {
        return add(local, 0, peerAddress, local.byteSize());
    }

    /** Removes every element (and forgets their segments); keeps the capacity. */
    public void clear() {
        elements.clear();
        totalBytes = 0;
        ran = false;
    }

    /** @return the number of elements. */
    public int size() {
        return elements.size();
    }

    /** @return whether the batch has no element. */
    public boolean isEmpty() {
        return elements.isEmpty();
    }

    /** @return the sum of the elements' lengths, bytes. */
    public long totalBytes() {
        return totalBytes;
    }

    /** @return the local segment of element {@code i}. */
    public MemorySegment local(int i) {
        return elements.local(i);
    }

    /** @return where element {@code i} starts in its local segment. */
    public long localOffset(int i) {
        return elements.localOffset(i);
    }

    /** @return the peer address of element {@code i}. */
    public long peerAddress(int i) {
        return elements.remoteAddress(i);
    }

    /** @return the length of element {@code i}, bytes. */
    public long length(int i) {
        return elements.length(i);
    }

    /**
     * @return {@link #OK}, {@link #NOT_RUN}, or the negative {@link ErrorCode} value of element {@code i}'s failure
     *         after the last run ({@code ADDRESS_OUT_OF_RANGE}: outside the peer's registered memory;
     *         {@code PEER_UNAVAILABLE}: the peer is gone; ...)
     */
    public int status(int i) {
        MemFabricException failure = elements.failure(i);
        return !ran ? NOT_RUN : failure == null ? OK : failure.code().value();
    }

    /** @return why element {@code i} failed in the last run, or {@code null} when it did not. */
    public String failure(int i) {
        MemFabricException failure = ran ? elements.failure(i) : null;
        return failure == null ? null : lastOp + " element " + i + " (" + lastPeer + " peerAddress=0x"
                + Long.toHexString(peerAddress(i)) + " length=" + length(i) + "): " + failure.getMessage();
    }

    /** @return how many elements failed in the last run. */
    public int failedCount() {
        return ran ? elements.failedCount() : 0;
    }

    /** Points the elements at the peer and the direction of a run; its results are not known until it ends. */
    CopyBatch prepareRun(boolean write, int rank, String peer) {
        elements.retarget(write ? Direction.WRITE : Direction.READ, rank, Space.REGISTERED);
        ran = false;
        lastPeer = peer;
        lastOp = write ? "write" : "read";
        return elements;
    }

    /**
     * The run ended: its results are the elements' from now on.
     *
     * @return how many elements failed
     */
    int runEnded() {
        ran = true;
        return elements.failedCount();
    }

    @Override
    public String toString() {
        return "TransferBatch{" + size() + " elements, " + totalBytes + " bytes"
                + (ran ? ", " + failedCount() + " failed" : "") + "}";
    }
}
