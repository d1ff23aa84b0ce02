package io.memfabric.store.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * One-shot {@code MF.WATCH}es: pending watches by id and by key. A watch fires once, when its key is created, and is
 * then forgotten.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class Watches {
    /** One pending watch. */
    record Watch(long id, StoreKey key, ClientSession connection) {
    }

    private final HashMap<Long, Watch> byId = new HashMap<>();
    private final HashMap<StoreKey, List<Watch>> byKey = new HashMap<>();
    private long lastId;

    /** @return a new id, positive and unique for the server's lifetime. */
    long nextId() {
        return ++lastId;
    }

    /** Registers a pending watch. */
    void add(Watch watch) {
        byId.put(watch.id(), watch);
        byKey.computeIfAbsent(watch.key(), k -> new ArrayList<>(2)).add(watch);
    }

    /**
     * Removes a pending watch if {@code connection} owns it.
     *
     * @return the watch removed, or null (unknown id, fired already, or another connection's)
     */
    Watch remove(long id, ClientSession connection) {
        Watch watch = byId.get(id);
        if (watch == null || watch.connection() != connection) {
            return null;
        }
        byId.remove(id);
        List<Watch> list = byKey.get(watch.key());
        list.remove(watch);
        if (list.isEmpty()) {
            byKey.remove(watch.key());
        }
        return watch;
    }

    /** @return and forget every pending watch of {@code key} (it was just created), in registration order. */
    List<Watch> fire(StoreKey key) {
        if (byId.isEmpty()) {
            return null;
        }
        List<Watch> list = byKey.remove(key);
        if (list != null) {
            for (Watch watch : list) {
                byId.remove(watch.id());
            }
        }
        return list;
    }

    /** @return the number of pending watches. */
    int size() {
        return byId.size();
    }
}
