package io.memfabric.store.server;

import java.util.HashMap;

/**
 * Rank assignment ({@code MF.RANK}), per namespace: a rank is held by one live connection until that connection goes
 * down. Auto-ranking gives the lowest rank in {@code [0, worldSize)} that no live connection holds, so freed ranks are
 * reused (upstream assigns in connection order, first id not alive).
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class RankTable {
    /** Largest world size (DESIGN §1). */
    static final int MAX_WORLD_SIZE = 1024;
    /** {@link #assign} status: every rank below the world size is held. */
    static final int WORLD_SIZE_EXCEEDED = -1;
    /** {@link #assign} status: the requested rank is held by another connection, or not below the world size. */
    static final int RANK_UNAVAILABLE = -2;
    /** {@link #assign} status: the connection already holds another rank in this namespace. */
    static final int ALREADY_RANKED = -3;

    private final HashMap<String, ClientSession[]> holders = new HashMap<>();

    /**
     * Grants a rank to {@code connection}. A connection that already holds a rank in {@code namespace} gets it again
     * (for an automatic request, or an explicit one for the same rank).
     *
     * @param rank the rank wanted, or -1 for the lowest free one
     * @return the rank granted, or {@link #WORLD_SIZE_EXCEEDED}, {@link #RANK_UNAVAILABLE} or {@link #ALREADY_RANKED}
     */
    int assign(ClientSession connection, String namespace, int worldSize, int rank) {
        Integer held = connection.ranks().get(namespace);
        if (held != null) {
            return rank < 0 || rank == held ? held : ALREADY_RANKED;
        }
        ClientSession[] table = holders.computeIfAbsent(namespace, k -> new ClientSession[MAX_WORLD_SIZE]);
        if (rank >= 0) {
            if (rank >= worldSize || table[rank] != null) {
                return RANK_UNAVAILABLE;
            }
        } else {
            rank = lowestFree(table, worldSize);
            if (rank < 0) {
                return WORLD_SIZE_EXCEEDED;
            }
        }
        table[rank] = connection;
        connection.ranks().put(namespace, rank);
        return rank;
    }

    private static int lowestFree(ClientSession[] table, int worldSize) {
        for (int i = 0; i < worldSize; i++) {
            if (table[i] == null) {
                return i;
            }
        }
        return -1;
    }

    /** @return the connection holding {@code rank} in {@code namespace}, or null. */
    ClientSession holder(String namespace, int rank) {
        ClientSession[] table = holders.get(namespace);
        return table == null || rank < 0 || rank >= table.length ? null : table[rank];
    }

    /** Frees one rank held by {@code connection}. */
    void release(ClientSession connection, String namespace, int rank) {
        ClientSession[] table = holders.get(namespace);
        if (table != null && table[rank] == connection) {
            table[rank] = null;
            for (ClientSession c : table) {
                if (c != null) {
                    return;
                }
            }
            holders.remove(namespace);
        }
    }
}
