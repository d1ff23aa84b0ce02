package io.memfabric.store.server;

import java.util.Arrays;
import java.util.HashMap;
import java.util.function.Consumer;

/**
 * The store's key-value map. Values are byte arrays with a length, so that {@code APPEND} grows them in amortised
 * constant time; {@code SET} adopts the decoder's argument array as is (no copy).
 *
 * <p>Besides the hash map, every entry occupies one <em>slot</em> of a dense array, freed slots being reused. {@code
 * SCAN}'s cursor is a slot index: an entry keeps its slot for as long as it exists, so a key present for the whole scan
 * is returned exactly once, whatever else is added or removed meanwhile (redis-server gives "at least once" by
 * scanning hash buckets in reverse-binary order; a stable slot is simpler and gives the same guarantee).
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class Keyspace {
    /** One value. {@code value[0, length)} is the content; the array may be longer (growth room for APPEND). */
    static final class Entry {
        final StoreKey key;
        byte[] value;
        int length;
        int slot;

        Entry(StoreKey key, byte[] value, int length) {
            this.key = key;
            this.value = value;
            this.length = length;
        }

        /** @return a copy of the content, exactly {@link #length} bytes. */
        byte[] copy() {
            return Arrays.copyOf(value, length);
        }
    }

    private final HashMap<StoreKey, Entry> map = new HashMap<>();
    private Entry[] slots = new Entry[16];
    private int[] freeSlots = new int[16];
    private int freeCount;
    private int slotsUsed;

    /** @return the entry of {@code key}, or null. */
    Entry get(StoreKey key) {
        return map.get(key);
    }

    /** @return the number of keys. */
    int size() {
        return map.size();
    }

    /**
     * Sets {@code key} to {@code value[0, length)}, adopting the array.
     *
     * @return the entry if the key was created, or null if it existed (its value is replaced)
     */
    Entry put(StoreKey key, byte[] value, int length) {
        Entry entry = map.get(key);
        if (entry != null) {
            entry.value = value;
            entry.length = length;
            return null;
        }
        return create(key, value, length);
    }

    /** Adds a key known to be absent. */
    Entry create(StoreKey key, byte[] value, int length) {
        Entry entry = new Entry(key, value, length);
        map.put(key, entry);
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (slotsUsed == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
            }
            slot = slotsUsed++;
        }
        slots[slot] = entry;
        entry.slot = slot;
        return entry;
    }

    /** @return whether {@code key} existed and was removed. */
    boolean remove(StoreKey key) {
        Entry entry = map.remove(key);
        if (entry == null) {
            return false;
        }
        slots[entry.slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        freeSlots[freeCount++] = entry.slot;
        return true;
    }

    /** Calls {@code action} for every entry, in slot order. The action must not add or remove keys. */
    void forEach(Consumer<Entry> action) {
        for (int i = 0; i < slotsUsed; i++) {
            Entry entry = slots[i];
            if (entry != null) {
                action.accept(entry);
            }
        }
    }

    /**
     * One {@code SCAN} step: visits slots from {@code cursor} on, until {@code count} entries were seen or
     * {@code 10 * count} empty slots were passed (redis-server's bound on the work of one call).
     *
     * @param cursor the slot to start at (0 starts a scan)
     * @param count  how many entries to visit, at least 1
     * @param action receives each entry visited
     * @return the next cursor, or 0 when the scan is complete
     */
    long scan(long cursor, int count, Consumer<Entry> action) {
        if (cursor < 0 || cursor >= slotsUsed) {
            return 0;
        }
        int i = (int) cursor;
        int seen = 0;
        long emptyBudget = 10L * count;
        while (i < slotsUsed && seen < count && emptyBudget > 0) {
            Entry entry = slots[i++];
            if (entry != null) {
                action.accept(entry);
                seen++;
            } else {
                emptyBudget--;
            }
        }
        return i >= slotsUsed ? 0 : i;
    }
}
