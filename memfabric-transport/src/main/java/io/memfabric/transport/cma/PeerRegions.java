package io.memfabric.transport.cma;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.RegionTable;
import io.memfabric.memory.ShmSlot;
import io.memfabric.memory.SlotDescriptor;

import java.util.Arrays;

/**
 * A same-host peer's registered regions, read from its shared {@link RegionTable} (mapped here), so that a cma transfer
 * into the peer's registered memory is checked and pinned exactly as the peer's own listener would: the range must lie
 * inside one region, and the peer's unregister waits for the pin to end. A sorted index of the regions is rebuilt when
 * the table's change counter moves; a lookup is a binary search, and the pin confirms it.
 *
 * <p>Allocation: none per transfer; an index rebuild (after a peer's register or unregister) allocates its arrays.
 *
 * <p>Thread safety: {@link #pin} and {@link #unpin} from any thread; {@link #close()} once no transfer is in flight.
 */
public final class PeerRegions implements AutoCloseable {
    private final int rank;
    private final ShmSlot mapping;
    private final RegionTable table;
    private final CloseOnce closed = new CloseOnce();
    private volatile Index index = new Index(Long.MIN_VALUE, new long[0], new long[0], new long[0], 0);

    private PeerRegions(int rank, ShmSlot mapping, RegionTable table) {
        this.rank = rank;
        this.mapping = mapping;
        this.table = table;
    }

    /**
     * Maps a peer's region table.
     *
     * @param rank       the peer's rank, for messages
     * @param descriptor the table's file, from the peer's descriptor
     * @return the peer's regions; the caller closes them
     * @throws io.memfabric.error.MemFabricException when the file cannot be mapped or holds no table
     */
    public static PeerRegions map(int rank, SlotDescriptor descriptor) {
        ShmSlot mapping = ShmSlot.open(descriptor);
        try {
            return new PeerRegions(rank, mapping, RegionTable.attach(mapping.segment()));
        } catch (RuntimeException e) {
            mapping.close();
            throw e;
        }
    }

    /**
     * Finds and pins the registered region that holds {@code [address, address + length)}.
     *
     * @return a token for {@link #unpin}
     * @throws AddressOutOfRangeException when no region of the peer holds the whole range (nothing may be copied)
     */
    public long pin(long address, long length) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Index current = current();
            long token = current.find(address, length);
            if (token == RegionTable.NOT_FOUND) {
                break;
            }
            if (table.pin(token)) {
                return token;
            }
            // The region was unregistered or replaced since the index was built: rebuild and look again.
            rebuild(current);
        }
        throw new AddressOutOfRangeException("cma to rank " + rank + ": address=0x" + Long.toHexString(address)
                + " length=" + length + " is not inside a region rank " + rank + " has registered", address, length);
    }

    /** Releases a pin taken by {@link #pin}. */
    public void unpin(long token) {
        table.unpin(token);
    }

    private Index current() {
        Index current = index;
        return current.changes == table.changes() ? current : rebuild(current);
    }

    private synchronized Index rebuild(Index seen) {
        Index current = index;
        long changes = table.changes();
        if (current != seen && current.changes == changes) {
            return current; // another thread rebuilt it meanwhile
        }
        int capacity = table.capacity();
        long[] tokens = new long[capacity];
        long[] starts = new long[capacity];
        long[] lengths = new long[capacity];
        int n = table.collect(tokens, starts, lengths);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(starts[a], starts[b]));
        long[] t = new long[n];
        long[] s = new long[n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = tokens[order[i]];
            s[i] = starts[order[i]];
            l[i] = lengths[order[i]];
        }
        Index next = new Index(changes, t, s, l, n);
        index = next;
        return next;
    }

    /** Unmaps the peer's table. Idempotent; call once no transfer uses it. */
    @Override
    public void close() {
        if (closed.begin()) {
            mapping.close();
        }
    }

    @Override
    public String toString() {
        return "PeerRegions{rank=" + rank + ", " + table + "}";
    }

    /** The regions sorted by start address, as of one value of the table's change counter. */
    private record Index(long changes, long[] tokens, long[] starts, long[] lengths, int size) {
        long find(long address, long length) {
            int lo = 0;
            int hi = size - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(starts[mid], address) <= 0) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (found < 0 || !AddressSpace.fits(address - starts[found], length, lengths[found])) {
                return RegionTable.NOT_FOUND;
            }
            return tokens[found];
        }
    }
}
