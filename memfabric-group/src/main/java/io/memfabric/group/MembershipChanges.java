package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * This rank's own changes of membership: join and leave. Each proposes the next epoch ({@link EpochProposer}), waits
 * until every member of that epoch has acknowledged it (their agents do, with no call from their application), and
 * then until this engine's agent has applied it, so a collective started afterwards runs among the new members
 * everywhere.
 *
 * <p>Thread safety: called by the holder of the engine's lock (one at a time).
 */
final class MembershipChanges {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipChanges.class);

    private final EngineContext context;
    private final String incarnation;
    private final MembershipState membership;
    private final EpochProposer proposer;
    private final RoundRegistry rounds;
    private final StoreRounds store;
    private final GroupAgent agent;
    private final Collectives collectives;

    /**
     * @param incarnation this process's store identity ({@code MF.HELLO} name), recorded for its rank on join so that
     *                    a late {@code down} of a previous process of the rank is told apart
     */
    MembershipChanges(EngineContext context, String incarnation, MembershipState membership, EpochProposer proposer,
                      RoundRegistry rounds, StoreRounds store, GroupAgent agent, Collectives collectives) {
        this.context = context;
        this.incarnation = incarnation;
        this.membership = membership;
        this.proposer = proposer;
        this.rounds = rounds;
        this.store = store;
        this.agent = agent;
        this.collectives = collectives;
    }

    /** See {@link GroupEngine#join()}. */
    void join() {
        int rank = context.rank();
        Membership now = membership.current();
        if (membership.isMember()) {
            throw new MemFabricException(ErrorCode.REPEAT_CALL, "join: rank " + rank + " is already a member of "
                    + "group " + context.name() + " (" + now + ")");
        }
        long deadlineNs = context.deadlineNs();
        context.view().set(GroupKeys.incarnation(rank), incarnation.getBytes(StandardCharsets.UTF_8));
        EpochRecord joined;
        do {
            joined = proposer.propose(tip -> tip.contains(rank)
                    ? new EpochRecord(MembershipEvent.Kind.FAILED, rank, tip.withLeft(rank))
                    : new EpochRecord(MembershipEvent.Kind.JOINED, rank, tip.withJoined(rank)), "join");
            if (joined.kind() != MembershipEvent.Kind.JOINED) {
                LOG.info("group {} rank {}: removed the previous process of this rank at epoch {}", context.name(),
                        rank, joined.membership().epoch());
            }
        } while (joined.kind() != MembershipEvent.Kind.JOINED);
        membership.joined(joined.membership().epoch());
        collectives.restart(); // A new membership for this engine: its first collective starts the sequence afresh.
        awaitAcknowledged(joined.membership(), "join", deadlineNs);
        agent.awaitApplied(joined.membership().epoch(), deadlineNs, "join");
    }

    /** See {@link GroupEngine#leave()}. */
    void leave() {
        int rank = context.rank();
        Membership now = membership.current();
        if (!membership.isMember()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "leave: rank " + rank + " is not a member of group "
                    + context.name() + " (" + now + ")");
        }
        long deadlineNs = context.deadlineNs();
        EpochRecord left = proposer.propose(tip -> tip.contains(rank)
                ? new EpochRecord(MembershipEvent.Kind.LEFT, rank, tip.withLeft(rank)) : null, "leave");
        membership.left();
        if (left == null) {
            return; // Already removed (reported as failed); nothing to leave.
        }
        if (!left.membership().isEmpty()) {
            awaitAcknowledged(left.membership(), "leave", deadlineNs);
        }
        agent.awaitApplied(left.membership().epoch(), deadlineNs, "leave");
    }

    /**
     * Waits for every member of {@code m}'s epoch to acknowledge it; gives up quietly when a removal overtakes it.
     *
     * @throws MemFabricTimeoutException when they did not in time (the change has taken effect all the same)
     */
    private void awaitAcknowledged(Membership m, String what, long deadlineNs) {
        Round ack = Round.ack(m, what + " of rank " + context.rank() + " in group " + context.name() + " at epoch "
                + m.epoch());
        RoundRegistry.Pending pending = rounds.register(() -> ack, store);
        try {
            RoundOutcome outcome = store.awaitAcknowledged(ack, deadlineNs);
            if (!outcome.isCompleted()) {
                LOG.info("group {} rank {}: {} not acknowledged by all: {}", context.name(), context.rank(), what,
                        outcome.reason());
            }
        } finally {
            rounds.remove(pending);
        }
    }
}
