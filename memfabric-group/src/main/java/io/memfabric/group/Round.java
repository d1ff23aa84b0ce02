package io.memfabric.group;

/**
 * One collective round: what it belongs to, its number, how many take part, and the store keys it uses (DESIGN §4,
 * upstream §7.5: an arrival counter, a release key, and for an allgather a data key; layout in {@link GroupKeys}).
 * How the participants wait for each other is up to a {@link RoundBarrier}; how a round is decided in the store is
 * described by {@link StoreRounds}.
 *
 * <p>Thread safety: immutable.
 */
final class Round {
    /** What a round belongs to. */
    enum Type {
        /** A barrier or allgather among the members of one epoch. */
        WORLD,
        /** A barrier or allgather of a sub-group named by a key. */
        SUB,
        /** The acknowledgement of an epoch by its members (waited for by join and leave). */
        ACK
    }

    final Type type;
    /** The keys' common start: {@code w<epoch>}, {@code s.<key>} or {@code j<epoch>}. */
    final String family;
    final String stem;
    /** The epoch of a world or acknowledgement round; -1 for a sub-group round. */
    final long epoch;
    final long seq;
    final int size;
    final boolean gather;
    final String label;
    /** The members of a world round; {@code null} for the others, whose participants the engine does not know. */
    final Membership members;

    private Round(Type type, String family, long epoch, long seq, int size, boolean gather, String label,
                  Membership members) {
        this.type = type;
        this.family = family;
        this.stem = stemOf(seq);
        this.epoch = epoch;
        this.seq = seq;
        this.size = size;
        this.gather = gather;
        this.label = label;
        this.members = members;
    }

    /** @return round {@code seq} of the members of {@code members}' epoch */
    static Round world(Membership members, long seq, boolean gather, String label) {
        return new Round(Type.WORLD, GroupKeys.WORLD + members.epoch(), members.epoch(), seq, members.size(), gather,
                label, members);
    }

    /** @return round {@code seq} of the {@code size} ranks that use {@code key} */
    static Round sub(String key, long seq, int size, boolean gather, String label) {
        return new Round(Type.SUB, GroupKeys.SUB + key, -1, seq, size, gather, label, null);
    }

    /** @return the acknowledgement of {@code m}'s epoch by its members (one per epoch, so it has no number) */
    static Round ack(Membership m, String label) {
        return new Round(Type.ACK, GroupKeys.ack(m.epoch()), m.epoch(), 0, m.size(), false, label, null);
    }

    /** @return the stem of round {@code seq} of this round's family, e.g. {@code w7_12}. */
    String stemOf(long seq) {
        return type == Type.ACK ? family : family + "_" + seq;
    }

    String counterKey() {
        return stem + (gather ? GroupKeys.GATHER_COUNTER : GroupKeys.BARRIER_COUNTER);
    }

    String releaseKey() {
        return stem + (gather ? GroupKeys.GATHER_RELEASE : GroupKeys.BARRIER_RELEASE);
    }

    String dataKey() {
        return stem + GroupKeys.GATHER_DATA;
    }

    /**
     * @param next    a membership being applied
     * @param removal whether it removes a rank (a leave or failure) rather than adds one
     * @return whether this round can no longer complete once {@code next} applies: a world round of an older epoch
     *         (any change), a sub-group round (any removal: the engine cannot know who belongs to it), an
     *         acknowledgement of an older epoch (a removal may take away a member it waits for)
     */
    boolean isDoomedBy(Membership next, boolean removal) {
        boolean older = epoch < next.epoch();
        return type == Type.WORLD && older || removal && (type == Type.SUB || type == Type.ACK && older);
    }

    @Override
    public String toString() {
        return label;
    }
}
