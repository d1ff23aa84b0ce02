package io.memfabric.nativeapi;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The objects behind the C API's handles ({@code smem_bm_t}, {@code smem_trans_t}): a handle is a number that names a
 * slot of this table, the slot's generation and the table's kind, so that a handle of a destroyed object, of another
 * API, or a made-up one ({@code (smem_bm_t) 0x1234}) finds nothing instead of the wrong object. No JNI global
 * reference per object: the table holds the objects, C holds numbers.
 *
 * <pre>
 *   63        48 47     40 39            24 23          0
 *  | 0x4D46 'MF' |  kind  |   generation   |    slot     |
 * </pre>
 *
 * <p>Lookups ({@link #get}) are one volatile read and allocate nothing; they run on every copy.
 *
 * <p>Thread safety: every method from any thread; adds and removes are serialised.
 *
 * @param <T> what the handles name
 */
final class HandleTable<T> {
    /** The kind of {@code smem_bm_t} handles. */
    static final int KIND_BM = 1;
    /** The kind of {@code smem_trans_t} handles. */
    static final int KIND_TRANS = 2;
    /** The kind of {@code smem_shm_t} handles (SHM). */
    static final int KIND_SHM = 3;

    private static final long MAGIC = 0x4D46L << 48;
    private static final int SLOT_BITS = 24;
    private static final int GENERATION_BITS = 16;

    /** A live slot: the handle that names it and its object. */
    private record Entry(long handle, Object value) {
    }

    private final int kind;
    private final AtomicReferenceArray<Entry> slots;
    private final int[] generations;

    /**
     * @param kind     the API whose handles these are, 1..255
     * @param capacity how many objects may be open at once
     */
    HandleTable(int kind, int capacity) {
        this.kind = kind;
        this.slots = new AtomicReferenceArray<>(capacity);
        this.generations = new int[capacity];
    }

    /**
     * @return the new object's handle, never 0
     * @throws IllegalStateException when every slot is taken
     */
    synchronized long add(T value) {
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) == null) {
                int generation = generations[i] = (generations[i] + 1) & ((1 << GENERATION_BITS) - 1);
                long handle = MAGIC | ((long) kind << 40) | ((long) generation << SLOT_BITS) | i;
                slots.set(i, new Entry(handle, value));
                return handle;
            }
        }
        throw new IllegalStateException("all " + slots.length() + " handles are taken (destroy some objects first)");
    }

    /** @return the object of {@code handle}, or {@code null} when it names no live object of this table. */
    @SuppressWarnings("unchecked")
    T get(long handle) {
        int slot = (int) (handle & ((1 << SLOT_BITS) - 1));
        if ((handle >>> 40) != ((MAGIC >>> 40) | kind) || slot >= slots.length()) {
            return null;
        }
        Entry entry = slots.get(slot);
        return entry != null && entry.handle == handle ? (T) entry.value : null;
    }

    /** @return the object of {@code handle}, removed; or {@code null} when it names none. */
    synchronized T remove(long handle) {
        T value = get(handle);
        if (value != null) {
            slots.set((int) (handle & ((1 << SLOT_BITS) - 1)), null);
        }
        return value;
    }

    /** @return every live object, removed (for uninit). */
    @SuppressWarnings("unchecked")
    synchronized java.util.List<T> removeAll() {
        java.util.List<T> all = new java.util.ArrayList<>();
        for (int i = 0; i < slots.length(); i++) {
            Entry entry = slots.getAndSet(i, null);
            if (entry != null) {
                all.add((T) entry.value);
            }
        }
        return all;
    }

    /** @return how a handle is written in messages. */
    static String text(long handle) {
        return "0x" + Long.toHexString(handle);
    }
}
