package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Barrier and allgather, of the group (among the members of the applied epoch) and of sub-groups named by a key:
 * numbers the rounds, opens each in the {@link RoundRegistry} (so a membership change can abort it), runs it through a
 * {@link RoundBarrier} (a barrier) or the store (an allgather, {@link GatherCodec}), and turns an abort into the
 * exception every participant throws.
 *
 * <p>Round numbers are kept here, per epoch for the group and per key for a sub-group, which is why every participant
 * must call the same sequence of collectives. After a membership change every member learns of it at the same point
 * of its sequence: either its pending round of the old epoch is aborted, or its first collective after the change
 * fails with {@link ErrorCode#GROUP_MEMBERSHIP_CHANGED} without running; the retry starts the new epoch's rounds.
 *
 * <p>Thread safety: {@link #run} and {@link #restart()} are called by the holder of the engine's lock (one at a time).
 */
final class Collectives {
    /** Longest sub-group key (the store's key limit is 2 KiB, shared with the namespace and the round suffix). */
    private static final int MAX_SUB_KEY_LENGTH = 256;

    private final EngineContext context;
    private final MembershipState membership;
    private final RoundRegistry rounds;
    private final StoreRounds store;
    /**
     * The barrier of barrier rounds: the store's. A same-host shared-memory barrier is to be chosen here instead for
     * rounds whose participants all share a host.
     */
    private final RoundBarrier barrier;
    private final GroupAgent agent;

    // Guarded by the engine's lock.
    private long worldEpoch = -1;
    private long worldSeq;
    private final Map<String, Long> subSeq = new HashMap<>();

    Collectives(EngineContext context, MembershipState membership, RoundRegistry rounds, StoreRounds store,
                GroupAgent agent) {
        this.context = context;
        this.membership = membership;
        this.rounds = rounds;
        this.store = store;
        this.barrier = store;
        this.agent = agent;
    }

    /**
     * @return {@code key}
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} on a key that is not 1..256 printable ASCII
     *                            characters without blanks, or a size out of 1..{@value GroupOptions#MAX_WORLD_SIZE}
     */
    static String checkKey(String key, int size) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > MAX_SUB_KEY_LENGTH || !key.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "sub-group key='" + key + "' (expected: 1.."
                    + MAX_SUB_KEY_LENGTH + " printable ASCII characters, no blanks)");
        }
        if (size < 1 || size > GroupOptions.MAX_WORLD_SIZE) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "sub-group '" + key + "' size=" + size
                    + " (expected: 1.." + GroupOptions.MAX_WORLD_SIZE + ")");
        }
        return key;
    }

    /** This engine joined anew: its next collective of the group starts the sequence afresh. */
    void restart() {
        worldEpoch = -1;
    }

    /**
     * Runs one collective.
     *
     * @param key     the sub-group's key, or {@code null} for the group
     * @param subSize the sub-group's size (ignored for the group)
     * @param data    this rank's allgather payload, or {@code null} for a barrier
     * @return the payloads ordered by rank (an allgather), or {@code null} (a barrier)
     */
    List<byte[]> run(String key, int subSize, byte[] data) {
        String what = data == null ? "barrier" : "allGather";
        long deadlineNs = context.deadlineNs();
        RoundRegistry.Pending pending = rounds.register(() -> key == null ? openWorld(what, data != null)
                : openSub(key, subSize, what, data != null), data == null ? barrier : store);
        try {
            Round round = pending.round();
            RoundOutcome outcome = data == null ? barrier.await(round, deadlineNs)
                    : store.run(round, GatherCodec.encode(context.rank(), data), deadlineNs);
            if (!outcome.isCompleted()) {
                throw aborted(round, outcome, deadlineNs);
            }
            return data == null ? null : GatherCodec.decode(round, store.gathered(round));
        } finally {
            rounds.remove(pending);
        }
    }

    /** Opens the next round of the group (under the registry's lock, so the membership it reads is current). */
    private Round openWorld(String what, boolean gather) {
        Membership members = membership.current();
        int rank = context.rank();
        if (membership.joinedAt() < 0 || !members.contains(rank)) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, what + ": rank " + rank
                    + " is not a member of group " + context.name() + " (" + members + "); join() first");
        }
        if (members.epoch() != worldEpoch) {
            long before = worldEpoch;
            worldEpoch = members.epoch();
            worldSeq = 0;
            if (before >= 0) {
                // Every member learns of a change at the same point of its sequence: either its round of the old
                // epoch is aborted, or (here) its first collective after the change fails.
                throw new MemFabricException(ErrorCode.GROUP_MEMBERSHIP_CHANGED, what + " of group "
                        + context.name() + ": the membership changed since rank " + rank + "'s last collective "
                        + "(epoch " + before + ", now " + members + "); call it again");
            }
        }
        long seq = worldSeq++;
        return Round.world(members, seq, gather, what + " round " + GroupKeys.world(members.epoch(), seq)
                + " of group " + context.name() + " (" + members.size() + " members)");
    }

    private Round openSub(String key, int size, String what, boolean gather) {
        long seq = subSeq.merge(key, 1L, Long::sum) - 1;
        return Round.sub(key, seq, size, gather, what + " round " + GroupKeys.sub(key, seq) + " of group "
                + context.name() + " (size " + size + ")");
    }

    /** @return the exception of an aborted round, once this engine has applied the epoch that aborted it */
    private MemFabricException aborted(Round round, RoundOutcome outcome, long deadlineNs) {
        if (outcome.abortEpoch() > 0) {
            // The retry must run among the new members: wait until this engine has applied the epoch that aborted it.
            try {
                agent.awaitApplied(outcome.abortEpoch(), deadlineNs, round.label);
            } catch (MemFabricException ignored) {
                // Report the abort itself; the caller's retry will see the membership as it is.
            }
        }
        if (round.type == Round.Type.WORLD) {
            // This abort tells the caller of every change up to the applied epoch; the retry starts there afresh.
            worldEpoch = membership.current().epoch();
            worldSeq = 0;
        }
        return outcome.toException(round.label);
    }
}
