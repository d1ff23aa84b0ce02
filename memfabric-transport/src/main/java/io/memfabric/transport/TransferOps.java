package io.memfabric.transport;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A reusable list of one-sided transfers to one peer, for links that can pipeline them (tcp sends many requests before
 * it reads their replies). Struct of arrays: adding and running allocate nothing once the arrays have grown.
 *
 * <p>Thread safety: not thread safe; one thread fills and runs it.
 */
public final class TransferOps {
    /** Kind of an element: local memory to the peer. */
    public static final byte WRITE = 1;
    /** Kind of an element: the peer's memory to local memory. */
    public static final byte READ = 2;

    private byte[] kinds;
    private MemorySegment[] locals;
    private long[] localOffsets;
    private Space[] spaces;
    private long[] remotes;
    private long[] lengths;
    private int size;

    /** @param capacity initial capacity, at least 1 */
    public TransferOps(int capacity) {
        int c = Math.max(1, capacity);
        kinds = new byte[c];
        locals = new MemorySegment[c];
        localOffsets = new long[c];
        spaces = new Space[c];
        remotes = new long[c];
        lengths = new long[c];
    }

    /** Adds a transfer of {@code length} bytes from {@code local} at {@code localOffset} to the peer. */
    public void addWrite(MemorySegment local, long localOffset, Space space, long remote, long length) {
        add(WRITE, local, localOffset, space, remote, length);
    }

    /** Adds a transfer of {@code length} bytes from the peer to {@code local} at {@code localOffset}. */
    public void addRead(Space space, long remote, MemorySegment local, long localOffset, long length) {
        add(READ, local, localOffset, space, remote, length);
    }

    private void add(byte kind, MemorySegment local, long localOffset, Space space, long remote, long length) {
        if (size == kinds.length) {
            int c = size * 2;
            kinds = Arrays.copyOf(kinds, c);
            locals = Arrays.copyOf(locals, c);
            localOffsets = Arrays.copyOf(localOffsets, c);
            spaces = Arrays.copyOf(spaces, c);
            remotes = Arrays.copyOf(remotes, c);
            lengths = Arrays.copyOf(lengths, c);
        }
        kinds[size] = kind;
        locals[size] = local;
        localOffsets[size] = localOffset;
        spaces[size] = space;
        remotes[size] = remote;
        lengths[size] = length;
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

    /** @return {@link #WRITE} or {@link #READ}. */
    public byte kind(int i) {
        return kinds[i];
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

    /** @return the length of element {@code i}, bytes. */
    public long length(int i) {
        return lengths[i];
    }
}
