package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricTimeoutException;

/**
 * How the participants of a round wait for each other. {@link StoreRounds} does it in the config store (one
 * {@code INCRBY} and a wait for the release key, ~50 µs a round trip here); a same-host shared-memory barrier (DESIGN
 * §4: a sense-reversing counter in a mapped page, ~0.1 µs) is to stand beside it for rounds whose participants all
 * share a host. {@link Collectives} numbers the rounds and chooses the barrier; {@link RoundRegistry} remembers which
 * barrier runs each pending round, so that a membership change aborts it through the same one.
 *
 * <p>Both methods keep the rule of {@link RoundOutcome}: every participant of a round gets the same outcome, so a late
 * participant cannot complete a round that the others saw aborted.
 *
 * <p>Thread safety: implementations are safe from any thread; {@link #await} is called by one thread per round,
 * {@link #abort} by any.
 */
interface RoundBarrier {
    /**
     * Arrives at {@code round} and waits until every participant has arrived or the round is aborted.
     *
     * @param deadlineNs when this participant gives up ({@link System#nanoTime()} clock); it then aborts the round
     *                   for everyone with {@link ErrorCode#TIMEOUT}
     * @return {@link RoundOutcome#COMPLETED}, or the abort every participant sees
     * @throws MemFabricTimeoutException when this participant timed out and the round did not complete; names the
     *                                   round and how many arrived
     */
    RoundOutcome await(Round round, long deadlineNs);

    /**
     * Aborts {@code round} for every participant, unless it already completed or was aborted (the first decision
     * stands). Never throws: a failure is logged, and the participants then time out.
     *
     * @param abortEpoch the epoch a participant must have applied before it retries (0: none)
     * @param code       the code of the participants' exceptions
     * @param reason     why, for their messages
     */
    void abort(Round round, long abortEpoch, ErrorCode code, String reason);
}
