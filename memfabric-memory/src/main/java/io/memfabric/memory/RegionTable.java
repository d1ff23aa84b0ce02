package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The table of a process's registered memory regions, in shared memory, so that same-host peers that copy into that
 * memory by themselves ({@code process_vm_writev}, which the owner cannot refuse) check and pin a region exactly as
 * the owner's own listener does. One owner writes the table; any number of processes read it and pin regions.
 *
 * <h2>Layout</h2> (little-endian, every field naturally aligned, the header and each entry on cache lines of their
 * own)
 * <pre>
 * header, 128 bytes:  magic:i64 | capacity:i32 | reserved:i32 | ... | changes:i64 at 64
 * entry i at 128 + 64*i:  state:i64 | users:i64 | address:i64 | length:i64 | reserved to 64
 *   state = generation &lt;&lt; 2 | FREE(0) / ACTIVE(1) / RETIRING(2) / ABANDONED(3)
 * </pre>
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Register (owner): fill a free entry's address and length, then publish it with a release store of
 *       {@code ACTIVE}; then bump {@code changes} (release), which tells readers to rescan.</li>
 *   <li>Pin (any process): {@code getAndAdd(users, +1)}, then read the state; if it is not the {@code ACTIVE} state
 *       of the generation the reader found, undo the increment and fail. Unpin: {@code getAndAdd(users, -1)}.</li>
 *   <li>Unregister (owner): a volatile store of {@code RETIRING}, then wait until {@code users} reads 0, then free the
 *       entry with the next generation. The store of the state and the read of the users on one side, the increment of
 *       the users and the read of the state on the other, are sequentially consistent (a Dekker pair): either the
 *       pinner sees {@code RETIRING} and backs off, or the owner sees its pin and waits for it. So when unregister
 *       returns, no pin taken before it is left, and no pin after it succeeds.</li>
 * </ul>
 * The generation makes a pin fail when an entry was freed and reused between a reader's scan and its pin. The users
 * count is never reset: a pinner that lost the race takes its increment back itself. An entry whose pins outlive the
 * owner's wait (a pinner that died holding one) is {@code ABANDONED}: never reused, since its count is unknown.
 *
 * <p>Thread safety: {@link #register} and {@link #retire}/{@link #free} from the owner's one writer at a time
 * (callers serialise them); {@link #find}, {@link #pin}, {@link #unpin} and {@link #changes} from any thread of any
 * process that maps the table.
 */
public final class RegionTable {
    /** Bytes of a table of {@code capacity} entries. */
    public static long bytesFor(int capacity) {
        return ENTRIES_OFFSET + (long) capacity * ENTRY_BYTES;
    }

    /** @return how many entries fit in {@code bytes} of memory (0 when not even the header fits). */
    public static int capacityFor(long bytes) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, (bytes - ENTRIES_OFFSET) / ENTRY_BYTES));
    }

    /** Result of {@link #find}: no active region holds the range. */
    public static final long NOT_FOUND = -1;

    static final long MAGIC = 0x31474552464D4DL; // "MMFREG1" little-endian, with a zero high byte
    static final int MAGIC_OFFSET = 0;
    static final int CAPACITY_OFFSET = MAGIC_OFFSET + Long.BYTES;
    /** Two cache lines from the magic: the one field every change writes. */
    static final int CHANGES_OFFSET = 64;
    static final int ENTRIES_OFFSET = 128;
    static final int ENTRY_BYTES = 64;
    static final int STATE_OFFSET = 0;
    static final int USERS_OFFSET = STATE_OFFSET + Long.BYTES;
    static final int ADDRESS_OFFSET = USERS_OFFSET + Long.BYTES;
    static final int LENGTH_OFFSET = ADDRESS_OFFSET + Long.BYTES;
    static final long FREE = 0;
    static final long ACTIVE = 1;
    static final long RETIRING = 2;
    static final long ABANDONED = 3;
    private static final long STATE_MASK = 3;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    static {
        if (ENTRIES_OFFSET % 64 != 0 || ENTRY_BYTES % 64 != 0 || CHANGES_OFFSET % 64 != 0) {
            throw new ExceptionInInitializerError("RegionTable offsets must be cache-line aligned");
        }
    }

    private final MemorySegment segment;
    private final int capacity;

    private RegionTable(MemorySegment segment, int capacity) {
        this.segment = segment;
        this.capacity = capacity;
    }

    /**
     * Formats a new table in zeroed shared memory (the owner).
     *
     * @param segment  memory of at least {@link #bytesFor} bytes, 8-byte aligned, zeroed
     * @param capacity how many regions it holds, {@code >= 1}
     * @return the table
     */
    public static RegionTable format(MemorySegment segment, int capacity) {
        if (capacity < 1 || segment.byteSize() < bytesFor(capacity) || segment.address() % 64 != 0) {
            throw new ConfigurationException("region table of capacity=" + capacity + " in " + segment.byteSize()
                    + " bytes at 0x" + Long.toHexString(segment.address()) + " (expected: capacity >= 1, "
                    + bytesFor(capacity) + " bytes, 64-byte aligned)");
        }
        segment.set(ValueLayout.JAVA_INT, CAPACITY_OFFSET, capacity);
        // Release: a reader that sees the magic sees the capacity.
        LONG.setRelease(segment, (long) MAGIC_OFFSET, MAGIC);
        return new RegionTable(segment, capacity);
    }

    /**
     * Reads a table another process formatted (a reader).
     *
     * @param segment the mapped table
     * @return the table
     * @throws MemFabricException {@code PROTOCOL_ERROR} when the memory holds no table or a capacity it cannot hold
     */
    public static RegionTable attach(MemorySegment segment) {
        if (segment.byteSize() < ENTRIES_OFFSET || (long) LONG.getAcquire(segment, (long) MAGIC_OFFSET) != MAGIC) {
            throw new MemFabricException(ErrorCode.PROTOCOL_ERROR, "not a region table (" + segment.byteSize()
                    + " bytes, no magic)");
        }
        int capacity = segment.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
        if (capacity < 1 || bytesFor(capacity) > segment.byteSize()) {
            throw new MemFabricException(ErrorCode.PROTOCOL_ERROR, "region table capacity=" + capacity + " does not "
                    + "fit its " + segment.byteSize() + " bytes");
        }
        return new RegionTable(segment, capacity);
    }

    /** @return how many regions the table holds. */
    public int capacity() {
        return capacity;
    }

    /** @return a counter that changes whenever a region is published or freed (for readers' caches). */
    public long changes() {
        return (long) LONG.getAcquire(segment, (long) CHANGES_OFFSET);
    }

    // -------------------------------------------------------------------------------------------------- owner

    /**
     * Publishes a region.
     *
     * @return the entry index
     * @throws MemFabricException {@code RESOURCE_IN_USE} when the table is full
     */
    public int register(long address, long length) {
        for (int i = 0; i < capacity; i++) {
            long e = entry(i);
            long state = (long) LONG.getVolatile(segment, e + STATE_OFFSET);
            if ((state & STATE_MASK) == FREE) {
                segment.set(ValueLayout.JAVA_LONG, e + ADDRESS_OFFSET, address);
                segment.set(ValueLayout.JAVA_LONG, e + LENGTH_OFFSET, length);
                // Release: a reader that sees ACTIVE sees the address and length written above.
                LONG.setRelease(segment, e + STATE_OFFSET, (state & ~STATE_MASK) | ACTIVE);
                bumpChanges();
                return i;
            }
        }
        throw new MemFabricException(ErrorCode.RESOURCE_IN_USE, "region table full: " + capacity + " regions "
                + "registered (unregister some first)");
    }

    /**
     * Stops new pins of an entry (the first half of unregistering it).
     *
     * @return the number of pins still held right after (0: {@link #free} may follow at once; otherwise wait with
     *         {@link #users} for 0, or {@link #abandon} the entry)
     */
    public long retire(int index) {
        long e = entry(index);
        long state = (long) LONG.getVolatile(segment, e + STATE_OFFSET);
        // Volatile store, then volatile read of the users: the owner's half of the Dekker pair (see the class doc).
        LONG.setVolatile(segment, e + STATE_OFFSET, (state & ~STATE_MASK) | RETIRING);
        return users(index);
    }

    /** @return the pins held on an entry now. */
    public long users(int index) {
        return (long) LONG.getVolatile(segment, entry(index) + USERS_OFFSET);
    }

    /**
     * Frees a retired entry for reuse, with the next generation (a pin that found the old one fails). Call it once
     * {@link #retire} or {@link #users} has read 0: from then on no pin of the entry can succeed (a pinner that loses
     * the race may still hold its increment for a moment, and takes it back itself).
     */
    public void free(int index) {
        publishState(index, FREE);
    }

    /**
     * Gives a retired entry up when its pins outlive the owner's wait (a pinner died holding one): it is never reused,
     * since its count is unknown.
     */
    public void abandon(int index) {
        publishState(index, ABANDONED);
    }

    private void publishState(int index, long kind) {
        long e = entry(index);
        long state = (long) LONG.getVolatile(segment, e + STATE_OFFSET);
        LONG.setRelease(segment, e + STATE_OFFSET, ((state >>> 2) + 1) << 2 | kind);
        bumpChanges();
    }

    private void bumpChanges() {
        LONG.getAndAddRelease(segment, (long) CHANGES_OFFSET, 1L);
    }

    // ------------------------------------------------------------------------------------------------- readers

    /**
     * Finds the active region that holds {@code [address, address + length)}.
     *
     * @return a token for {@link #pin} (entry index and generation), or {@link #NOT_FOUND}
     */
    public long find(long address, long length) {
        for (int i = 0; i < capacity; i++) {
            long e = entry(i);
            long state = (long) LONG.getAcquire(segment, e + STATE_OFFSET);
            if ((state & STATE_MASK) != ACTIVE) {
                continue;
            }
            long start = segment.get(ValueLayout.JAVA_LONG, e + ADDRESS_OFFSET);
            long size = segment.get(ValueLayout.JAVA_LONG, e + LENGTH_OFFSET);
            long offset = address - start;
            if (Long.compareUnsigned(address, start) >= 0 && AddressSpace.fits(offset, length, size)) {
                return (state >>> 2) << 32 | i;
            }
        }
        return NOT_FOUND;
    }

    /**
     * Pins the region of a {@link #find} token, so that its owner's unregister waits until {@link #unpin}.
     *
     * @return whether the region is still the one found and active (if not, find again)
     */
    public boolean pin(long token) {
        int index = (int) token;
        long e = entry(index);
        LONG.getAndAdd(segment, e + USERS_OFFSET, 1L);
        // The pinner's half of the Dekker pair: the increment above is a full fence before this read.
        long state = (long) LONG.getVolatile(segment, e + STATE_OFFSET);
        if ((state & STATE_MASK) == ACTIVE && (state >>> 2) == (token >>> 32)) {
            return true;
        }
        LONG.getAndAdd(segment, e + USERS_OFFSET, -1L);
        return false;
    }

    /** Releases a pin taken by {@link #pin}. */
    public void unpin(long token) {
        LONG.getAndAdd(segment, entry((int) token) + USERS_OFFSET, -1L);
    }

    /**
     * Copies out the active regions (for a reader's sorted index). A region published or freed meanwhile may be missed
     * or included: a reader rebuilds its index when {@link #changes()} moves, and {@link #pin} checks each use.
     *
     * @param tokens    receives each region's token, at least {@link #capacity()} long
     * @param addresses receives each region's address
     * @param lengths   receives each region's length
     * @return how many regions were copied out
     */
    public int collect(long[] tokens, long[] addresses, long[] lengths) {
        int n = 0;
        for (int i = 0; i < capacity; i++) {
            long e = entry(i);
            long state = (long) LONG.getAcquire(segment, e + STATE_OFFSET);
            if ((state & STATE_MASK) == ACTIVE) {
                tokens[n] = (state >>> 2) << 32 | i;
                addresses[n] = segment.get(ValueLayout.JAVA_LONG, e + ADDRESS_OFFSET);
                lengths[n] = segment.get(ValueLayout.JAVA_LONG, e + LENGTH_OFFSET);
                n++;
            }
        }
        return n;
    }

    /** @return the address of the region of a token. */
    public long address(long token) {
        return segment.get(ValueLayout.JAVA_LONG, entry((int) token) + ADDRESS_OFFSET);
    }

    private long entry(int index) {
        if (index < 0 || index >= capacity) {
            throw new IndexOutOfBoundsException("entry=" + index + " (expected: 0.." + (capacity - 1) + ")");
        }
        return ENTRIES_OFFSET + (long) index * ENTRY_BYTES;
    }

    @Override
    public String toString() {
        return "RegionTable{capacity=" + capacity + ", changes=" + changes() + "}";
    }
}
