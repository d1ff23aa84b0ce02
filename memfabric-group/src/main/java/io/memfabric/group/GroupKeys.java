package io.memfabric.group;

/**
 * The keys a group keeps in the store, all under the group's namespace (a prefixed store view, so the names below are
 * relative to e.g. {@code mf/group/world/}). One place for the layout, so that {@code redis-cli KEYS 'mf/group/*'}
 * reads against this list.
 * <pre>
 * m                 latest membership, e.g. "7:0-3,5" (a hint, only ever moved forward; see {@link #EPOCH})
 * e&lt;k&gt;              the record of epoch k, e.g. "J5 7:0-3,5": the change and the membership it made. Created once
 *                   by MF.CAS with an empty expected value: creating it IS the transition, so epochs have no gaps,
 *                   one writer wins each, every member reads them in order. Kept {@link #EPOCH_RETENTION} epochs.
 * i&lt;rank&gt;           the store identity (MF.HELLO name) of the process holding rank: tells a late "down" of a
 *                   previous process from one of the current holder
 * j&lt;k&gt;_BA j&lt;k&gt;_BW    acknowledgement of k: each member of k adds 1 once it applied k, the last sets BW
 * w&lt;k&gt;_&lt;n&gt;_BA,_BW    barrier n among the members of epoch k: arrival counter, release ("ok" or "abort ...")
 * w&lt;k&gt;_&lt;n&gt;_GA,_GC,_GW allgather n of epoch k: appended [rank u32][length u32][data], counter, release
 * s.&lt;key&gt;_&lt;n&gt;_...     the same for round n of the sub-group named key
 * </pre>
 * Barriers and allgathers of one group (or sub-group) share the round numbers. The first arriver of round n deletes
 * the keys of round n-2 (every member has finished reading n-2 once anyone arrives at n, as arriving at n-1 needed
 * all of them); the first arriver of round 1 of an epoch deletes the rounds of earlier epochs.
 *
 * <p>Thread safety: stateless.
 */
final class GroupKeys {
    /** The membership hint. */
    static final String MEMBERSHIP = "m";
    /** Prefix of the epoch records. */
    static final String EPOCH = "e";
    /** Epoch records (and their acknowledgements) older than this many epochs are deleted. */
    static final int EPOCH_RETENTION = 64;
    /** Prefix of the world rounds; the cleanup lists keys with this prefix. */
    static final String WORLD = "w";
    /** Prefix of the sub-group rounds: {@code s.<key>}. */
    static final String SUB = "s.";

    static final String BARRIER_COUNTER = "_BA";
    static final String BARRIER_RELEASE = "_BW";
    static final String GATHER_DATA = "_GA";
    static final String GATHER_COUNTER = "_GC";
    static final String GATHER_RELEASE = "_GW";

    private GroupKeys() {
    }

    static String epoch(long epoch) {
        return EPOCH + epoch;
    }

    static String incarnation(int rank) {
        return "i" + rank;
    }

    static String ack(long epoch) {
        return "j" + epoch;
    }

    static String world(long epoch, long seq) {
        return WORLD + epoch + "_" + seq;
    }

    static String sub(String key, long seq) {
        return SUB + key + "_" + seq;
    }

    /** @return every key a round may have used, for deletion. */
    static String[] roundKeys(String round) {
        return new String[] {round + BARRIER_COUNTER, round + BARRIER_RELEASE, round + GATHER_DATA,
            round + GATHER_COUNTER, round + GATHER_RELEASE};
    }

    /**
     * @param key a key listed under {@link #WORLD}
     * @return the epoch of the world round it belongs to, or -1 when it is not a world round key
     */
    static long worldEpochOf(String key) {
        int underscore = key.indexOf('_');
        if (!key.startsWith(WORLD) || underscore <= WORLD.length()) {
            return -1;
        }
        try {
            return Long.parseLong(key, WORLD.length(), underscore, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
