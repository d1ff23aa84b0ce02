package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.ProtocolException;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Rounds kept in the config store (DESIGN §4, upstream §7.5): each participant adds 1 to the round's counter (an
 * allgather participant first appends its element to the data key); the one that reaches the size sets the release to
 * {@code ok}; all wait for the release ({@code MF.WAIT}). The first arriver of round n deletes round n-2 (see
 * {@link GroupKeys}). Also the acknowledgement of epochs, which members' agents arrive at and join / leave wait for.
 *
 * <p><b>Aborting.</b> A round that can no longer complete (a member left or failed, or a participant timed out) is
 * <em>poisoned</em>: {@code INCRBY counter POISON}. The counter is the one place where arrivals and poisons are
 * ordered, so the outcome is the same for everyone: the first poison (its reply is below {@code 2 * POISON}) sees how
 * many arrived before it; if all had, the round completed and it writes {@code ok}, otherwise it writes the abort
 * ({@link RoundOutcome}). An arrival that finds the counter poisoned does not count, and waits for that release like
 * everyone else. So every participant returns, or every participant fails with the same reason.
 *
 * <p>Thread safety: stateless apart from the view; the store does the synchronisation.
 */
final class StoreRounds implements RoundBarrier {
    /** Added to a counter to poison it; far above any arrival count (at most the world size). */
    static final long POISON = 1L << 40;

    private static final Logger LOG = LoggerFactory.getLogger(StoreRounds.class);
    /** How long a participant whose own wait timed out waits for the decision of an earlier poison. */
    private static final Duration DECISION_WAIT = Duration.ofSeconds(5);

    /** The outcome of a poison. */
    record Decision(boolean first, boolean completed, long arrived) {
    }

    private final EngineContext context;
    private final StoreClient view;

    StoreRounds(EngineContext context) {
        this.context = context;
        this.view = context.view();
    }

    @Override
    public RoundOutcome await(Round round, long deadlineNs) {
        return run(round, null, deadlineNs);
    }

    /**
     * Arrives at {@code round} (appending {@code element} first, for an allgather) and waits for its outcome.
     *
     * @param element this participant's {@link GatherCodec} element, or {@code null} for a barrier
     * @return as {@link #await}
     * @throws MemFabricException as {@link #await}; {@link ErrorCode#INVALID_PARAM} when more arrive than the size
     *                            (the participants disagree on the size or repeat a round); a store failure to
     *                            arrive, after aborting the round for the others
     */
    RoundOutcome run(Round round, byte[] element, long deadlineNs) {
        arrive(round, element);
        return awaitDecision(round, deadlineNs);
    }

    /** @return the value of a completed allgather round */
    byte[] gathered(Round round) {
        byte[] gathered = view.get(round.dataKey());
        if (gathered == null) {
            throw new ProtocolException(round.label + ": released but its data key " + round.dataKey()
                    + " is missing");
        }
        return gathered;
    }

    @Override
    public void abort(Round round, long abortEpoch, ErrorCode code, String reason) {
        try {
            poison(round, abortEpoch, code, reason);
        } catch (RuntimeException e) {
            LOG.debug("group {} rank {}: aborting {} failed: {}", context.name(), context.rank(), round.label,
                    e.toString());
        }
    }

    /** This member has applied {@code m}'s epoch: arrives at its acknowledgement (a failure is only logged). */
    void acknowledge(Membership m) {
        Round ack = Round.ack(m, "ack");
        try {
            long arrival = view.add(ack.counterKey(), 1);
            if (arrival == m.size()) {
                view.set(ack.releaseKey(), RoundOutcome.COMPLETED.toRelease());
            }
        } catch (RuntimeException e) {
            LOG.debug("group {} rank {}: acknowledging epoch {} failed: {}", context.name(), context.rank(),
                    m.epoch(), e.toString());
        }
    }

    /**
     * Waits until every member of the epoch of {@code ack} has acknowledged it, or a removal aborted the wait.
     *
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} naming how many acknowledged
     */
    RoundOutcome awaitAcknowledged(Round ack, long deadlineNs) {
        try {
            return RoundOutcome.ofRelease(view.waitFor(ack.releaseKey(), EngineContext.remaining(deadlineNs)));
        } catch (MemFabricTimeoutException e) {
            byte[] count = view.get(ack.counterKey());
            throw new MemFabricTimeoutException(ErrorCode.TIMEOUT, ack.label + ": " + (count == null ? "0"
                    : new String(count, StandardCharsets.US_ASCII)) + " of " + ack.size + " members acknowledged "
                    + "after " + context.timeoutMs() + " ms (the change has taken effect)");
        }
    }

    private void arrive(Round round, byte[] element) {
        long arrival;
        try {
            if (element != null) {
                view.append(round.dataKey(), element);
            }
            arrival = view.add(round.counterKey(), 1);
        } catch (RuntimeException e) {
            // This rank cannot take part: abort the round for the others rather than leave them to time out.
            abort(round, 0, ErrorCode.ERROR, "rank " + context.rank() + " failed to arrive: " + e.getMessage());
            throw e;
        }
        if (arrival < POISON) {
            if (arrival > round.size) {
                throw new MemFabricException(ErrorCode.INVALID_PARAM, round.label + ": arrival " + arrival
                        + " of " + round.size + " (expected: every participant passes the same size and calls each "
                        + "round once)");
            }
            if (arrival == 1) {
                deleteOldRounds(round);
            }
            if (arrival == round.size) {
                view.set(round.releaseKey(), RoundOutcome.COMPLETED.toRelease());
            }
        }
    }

    private RoundOutcome awaitDecision(Round round, long deadlineNs) {
        byte[] release;
        try {
            release = view.waitFor(round.releaseKey(), EngineContext.remaining(deadlineNs));
        } catch (MemFabricTimeoutException e) {
            Decision decision = poison(round, 0, ErrorCode.TIMEOUT, "rank " + context.rank() + " timed out after "
                    + context.timeoutMs() + " ms");
            if (decision.first()) {
                if (decision.completed()) {
                    return RoundOutcome.COMPLETED;
                }
                throw new MemFabricTimeoutException(ErrorCode.TIMEOUT, round.label + ": " + decision.arrived()
                        + " of " + round.size + " arrived after " + context.timeoutMs() + " ms");
            }
            try {
                release = view.waitFor(round.releaseKey(), DECISION_WAIT);
            } catch (MemFabricTimeoutException again) {
                throw new MemFabricTimeoutException(ErrorCode.TIMEOUT, round.label + ": about " + decision.arrived()
                        + " of " + round.size + " arrived after " + context.timeoutMs() + " ms");
            }
        }
        return RoundOutcome.ofRelease(release);
    }

    /**
     * Poisons the round; when this is the first poison, decides and writes the release.
     *
     * @param abortEpoch the epoch a participant must have applied before it retries (0: none)
     * @param code       the code of the participants' exceptions
     * @param reason     why, for the participants' exception messages
     */
    private Decision poison(Round round, long abortEpoch, ErrorCode code, String reason) {
        long value = view.add(round.counterKey(), POISON);
        if (value >= 2 * POISON) {
            return new Decision(false, false, value % POISON);
        }
        long arrived = value - POISON;
        boolean completed = arrived >= round.size;
        RoundOutcome outcome = completed ? RoundOutcome.COMPLETED : RoundOutcome.aborted(abortEpoch, code, reason);
        view.set(round.releaseKey(), outcome.toRelease());
        return new Decision(true, completed, arrived);
    }

    /** The first arriver of round n deletes round n-2; of round 1 of an epoch, the rounds of older epochs. */
    private void deleteOldRounds(Round round) {
        try {
            if (round.seq >= 2) {
                view.delete(GroupKeys.roundKeys(round.stemOf(round.seq - 2)));
            }
            if (round.type == Round.Type.WORLD && round.seq == 1) {
                List<String> stale = new ArrayList<>();
                for (String key : view.keys(GroupKeys.WORLD + "*")) {
                    long epoch = GroupKeys.worldEpochOf(key);
                    if (epoch >= 0 && epoch < round.epoch) {
                        stale.add(key);
                    }
                }
                if (!stale.isEmpty()) {
                    view.delete(stale.toArray(new String[0]));
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("group {} rank {}: cleanup before {} failed: {}", context.name(), context.rank(), round.label,
                    e.toString());
        }
    }
}
