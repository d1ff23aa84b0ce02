package io.memfabric.group;

import io.memfabric.error.ErrorCode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The rounds this engine is waiting in, each with the barrier that runs it, so that a membership change (or close)
 * can abort the ones it dooms. Its lock orders the agent's swap of the membership snapshot against the opening of
 * rounds: a round opened before a swap is seen by it, and one opened after reads the new membership, so no new round
 * escapes an abort.
 *
 * <p>Thread safety: safe from any thread.
 */
final class RoundRegistry {
    /**
     * A pending round and the barrier that runs it.
     *
     * @param round   the round
     * @param barrier the barrier it waits in, which also aborts it
     */
    record Pending(Round round, RoundBarrier barrier) {
        /** Aborts the round for all its participants (never throws; see {@link RoundBarrier#abort}). */
        void abort(long abortEpoch, ErrorCode code, String reason) {
            barrier.abort(round, abortEpoch, code, reason);
        }
    }

    private final MembershipState membership;
    private final Object lock = new Object();
    private final List<Pending> pending = new ArrayList<>();

    RoundRegistry(MembershipState membership) {
        this.membership = membership;
    }

    /**
     * Opens a round and registers it, atomically with respect to {@link #swap}.
     *
     * @param opener  makes the round (it may read the applied membership, and throw: then nothing is registered)
     * @param barrier the barrier that will run it
     * @return the registration; the caller {@link #remove}s it when the round is over
     */
    Pending register(Supplier<Round> opener, RoundBarrier barrier) {
        synchronized (lock) {
            Pending entry = new Pending(opener.get(), barrier);
            pending.add(entry);
            return entry;
        }
    }

    void remove(Pending entry) {
        synchronized (lock) {
            pending.remove(entry);
        }
    }

    /**
     * Publishes {@code next} as the applied membership and picks the pending rounds it dooms
     * ({@link Round#isDoomedBy}), atomically with respect to {@link #register}.
     *
     * @return the rounds to abort; the caller aborts them (outside the lock: aborting is a store round trip)
     */
    List<Pending> swap(Membership next, boolean removal) {
        List<Pending> doomed = new ArrayList<>();
        synchronized (lock) {
            membership.publish(next);
            for (Pending entry : pending) {
                if (entry.round().isDoomedBy(next, removal)) {
                    doomed.add(entry);
                }
            }
        }
        return doomed;
    }

    /** Aborts every pending round (on close: the other participants must not wait for this engine). */
    void abortAll(ErrorCode code, String reason) {
        List<Pending> stranded;
        synchronized (lock) {
            stranded = new ArrayList<>(pending);
        }
        for (Pending entry : stranded) {
            entry.abort(0, code, reason);
        }
    }
}
