package io.memfabric.transport;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A reusable list of one-sided transfers to one peer, for links that can pipeline them (tcp sends many requests before
 * it reads their replies). Each element is a {@link Direction#WRITE} (local memory to the peer) or a
 * {@link Direction#READ} (the peer's memory to local memory). Struct of arrays: adding and running allocate nothing
 * once the arrays have grown.
 *
 * <p>Thread safety: not thread safe; one thread fills and runs it.
 */
public final class TransferOps {
    private Direction[] directions;
    private MemorySegment[] locals;
    private long[] localOffsets;
    private Space[] spaces;
    private long[] remotes;
    private long[] lengths;
    /** Each element's outcome: 0, a negative ErrorCode value, or {@link #NOT_RUN}. */
    private int[] statuses;
    private int size;

    /** {@link #status(int)}: the element's outcome is not known (not run, or its connection failed first). */
    public static final int NOT_RUN = 1;

    /** @param capacity initial capacity, at least 1 */
    public TransferOps(int capacity) {
        int c = Math.max(1, capacity);
        directions = new Direction[c];
        locals = new MemorySegment[c];
        localOffsets = new long[c];
        spaces = new Space[c];
        remotes = new long[c];
        lengths = new long[c];
        statuses = new int[c];
    }

    /** Adds a transfer of {@code length} bytes from {@code local} at {@code localOffset} to the peer. */
    public void addWrite(MemorySegment local, long localOffset, Space space, long remote, long length) {
        add(Direction.WRITE, local, localOffset, space, remote, length);
    }

    /** Adds a transfer of {@code length} bytes from the peer to {@code local} at {@code localOffset}. */
    public void addRead(Space space, long remote, MemorySegment local, long localOffset, long length) {
        add(Direction.READ, local, localOffset, space, remote, length);
    }

    private void add(Direction direction, MemorySegment local, long localOffset, Space space, long remote,
                     long length) {
        if (size == directions.length) {
            int c = size * 2;
            directions = Arrays.copyOf(directions, c);
            locals = Arrays.copyOf(locals, c);
            localOffsets = Arrays.copyOf(localOffsets, c);
            spaces = Arrays.copyOf(spaces, c);
            remotes = Arrays.copyOf(remotes, c);
            lengths = Arrays.copyOf(lengths, c);
            statuses = Arrays.copyOf(statuses, c);
        }
        directions[size] = direction;
        locals[size] = local;
        localOffsets[size] = localOffset;
        spaces[size] = space;
        remotes[size] = remote;
        lengths[size] = length;
        statuses[size] = NOT_RUN;
        size++;
    }

    /** Removes every element (and forgets their segments); keeps the capacity. */
    public void clear() {
        Arrays.fill(locals, 0, size, null);
        size = 0;
    }

    /** @return the number of elements. */
    public int size() {
        return size;
    }

    /** @return which way element {@code i} moves: {@link Direction#WRITE} or {@link Direction#READ}. */
    public Direction direction(int i) {
        return directions[i];
    }

    /** @return the local segment of element {@code i}. */
    public MemorySegment local(int i) {
        return locals[i];
    }

    /** @return where in the local segment element {@code i} starts. */
    public long localOffset(int i) {
        return localOffsets[i];
    }

    /** @return the peer's space of element {@code i}. */
    public Space space(int i) {
        return spaces[i];
    }

    /** @return the remote address (slot offset or registered address) of element {@code i}. */
    public long remote(int i) {
        return remotes[i];
    }

    /**
     * @return element {@code i}'s outcome, as the link that ran it recorded it: 0, the negative {@code ErrorCode}
     *         value of its failure, or {@link #NOT_RUN}
     */
    public int status(int i) {
        return statuses[i];
    }

    /** Records element {@code i}'s outcome (for the link that runs it). */
    public void status(int i, int status) {
        statuses[i] = status;
    }

    /** @return the length of element {@code i}, bytes. */
    public long length(int i) {
        return lengths[i];
    }
}
