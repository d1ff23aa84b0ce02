package io.memfabric.group;

import io.memfabric.common.agent.Agent;
import io.memfabric.common.agent.AgentRunner;
import io.memfabric.common.idle.ParkingIdleStrategy;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.ProtocolException;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows the chain of epoch records on the engine's agent thread ({@code memfabric-<group>-r<rank>-group}), the one
 * writer of the applied membership. For each record in order it swaps the snapshot ({@link RoundRegistry#swap}),
 * acknowledges the epoch if this rank is a member, aborts the pending rounds the change dooms, and hands the event to
 * the {@link ListenerDispatcher}. It also proposes the removal of a rank the store reports {@code down}.
 *
 * <p>The follow is one server-side wait ({@code MF.WAIT e<k+1>}) at a time, whose answer comes back as a command; a
 * wait that ends empty is followed by a check for a gap (this engine fell behind the retention of records: it jumps to
 * the tip), and a wait the store never answered is asked again. Other threads reach the agent only through its
 * command queue ({@link #offer}), as Aeron's {@code SenderProxy} does.
 *
 * <p>Thread safety: {@link #offer}, {@link #onStoreEvent}, {@link #awaitApplied} and {@link #close()} from any thread;
 * everything else runs on the agent thread.
 */
final class GroupAgent implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupAgent.class);

    /** How long one server-side wait for the next epoch record lasts before the agent checks for a gap. */
    private static final Duration FOLLOW_PERIOD = Duration.ofSeconds(10);
    /** Pause before the agent asks again after a failed wait (e.g. the store is reconnecting); also its idle pause. */
    private static final long FOLLOW_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final EngineContext context;
    private final StoreClient view;
    private final int rank;
    private final MembershipState membership;
    private final RoundRegistry rounds;
    private final EpochProposer proposer;
    private final StoreRounds store;
    private final ListenerDispatcher listeners;
    /** Many producers (I/O threads, callers), one consumer; lock-free, so the agent never parks on it. */
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AgentRunner runner;

    // Agent thread only.
    private long appliedEpoch;
    private boolean followPending;
    private long followGeneration;
    private long followStartedNs;
    private long nextFollowNs;

    GroupAgent(EngineContext context, MembershipState membership, RoundRegistry rounds, EpochProposer proposer,
               StoreRounds store, ListenerDispatcher listeners) {
        this.context = context;
        this.view = context.view();
        this.rank = context.rank();
        this.membership = membership;
        this.rounds = rounds;
        this.proposer = proposer;
        this.store = store;
        this.listeners = listeners;
        // Woken by every offer, the agent idles a whole retry period: its periodic checks need no more.
        this.runner = new AgentRunner(this, new ParkingIdleStrategy(FOLLOW_RETRY_NS), context.options().threadFactory(),
                context.options().operationTimeout(), (role, e) -> LOG.warn("{}: agent cycle failed", role, e));
    }

    /** Starts following after {@code start}, the membership already published. */
    void start(Membership start) {
        appliedEpoch = start.epoch(); // Before the thread starts, which orders it before the agent's reads.
        runner.start();
    }

    /** Runs {@code command} on the agent thread. */
    void offer(Runnable command) {
        commands.offer(command);
        runner.wake();
    }

    /** A store event (from an I/O thread): a {@code down} of a member leads to the proposal of its removal. */
    void onStoreEvent(StoreEvent event) {
        offer(() -> removeIfFailed(event));
    }

    /**
     * Waits until the agent has applied {@code epoch}, asking it to read the records directly rather than wait for the
     * follow to report.
     *
     * @throws MemFabricTimeoutException naming {@code what} when {@code deadlineNs} passes first
     */
    void awaitApplied(long epoch, long deadlineNs, String what) {
        if (membership.current().epoch() < epoch) {
            offer(this::catchUp);
        }
        if (membership.await(m -> m.epoch() >= epoch, deadlineNs) == null) {
            throw new MemFabricTimeoutException(what + ": rank " + rank + " of group " + context.name()
                    + " did not apply epoch " + epoch + " in time (at " + membership.current() + ")");
        }
    }

    /** Stops the agent thread and waits for it (see {@link AgentRunner#close()}). */
    @Override
    public void close() throws InterruptedException {
        runner.close();
    }

    @Override
    public String roleName() {
        return context.threadName("group");
    }

    @Override
    public void onStart() {
        nextFollowNs = System.nanoTime();
        followNext();
    }

    @Override
    public int doWork() {
        int work = 0;
        try {
            work += checkFollow();
        } catch (RuntimeException e) {
            failed(e);
        }
        // The commands last: nothing may park after the final empty poll, or it would spend the wake-up of an offer.
        Runnable command;
        while ((command = commands.poll()) != null) {
            work++;
            try {
                command.run();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
        return work;
    }

    @Override
    public void onClose() {
        commands.clear(); // Closed: a queued follow answer or store event has nobody to apply it for.
    }

    private void failed(RuntimeException e) {
        if (runner.isRunning()) {
            LOG.warn("group {} rank {}: agent command failed", context.name(), rank, e);
        }
    }

    // ------------------------------------------------------------------------------------------------------ follow

    /** Asks again for a wait the store never answered, or after a failed one once the retry pause is over. */
    private int checkFollow() {
        if (!runner.isRunning()) {
            return 0;
        }
        int work = 0;
        long now = System.nanoTime();
        if (followPending && now - followStartedNs > 2 * FOLLOW_PERIOD.toNanos()) {
            // The store never answered the wait (it should within FOLLOW_PERIOD): ask again.
            LOG.warn("group {} rank {}: no answer to the wait for epoch {}; asking again", context.name(), rank,
                    appliedEpoch + 1);
            followPending = false;
            catchUp();
            work++;
        }
        if (runner.isRunning() && !followPending && now - nextFollowNs >= 0) {
            followNext();
            work++;
        }
        return work;
    }

    /** Asks the store for the next epoch record; its arrival (or the wait's end) comes back as a command. */
    private void followNext() {
        long next = appliedEpoch + 1;
        long generation = ++followGeneration;
        followPending = true;
        followStartedNs = System.nanoTime();
        try {
            view.waitForAsync(GroupKeys.epoch(next), FOLLOW_PERIOD)
                    .whenComplete((value, error) -> offer(() -> onFollow(generation, next, value, error)));
        } catch (RuntimeException e) {
            followPending = false;
            nextFollowNs = System.nanoTime() + FOLLOW_RETRY_NS;
        }
    }

    private void onFollow(long generation, long epoch, byte[] value, Throwable error) {
        if (generation != followGeneration) {
            if (error == null && value != null && epoch == appliedEpoch + 1) {
                apply(EpochRecord.fromBytes(value), epoch); // A superseded wait's record is still the next one.
            }
            return;
        }
        followPending = false;
        if (!runner.isRunning()) {
            return;
        }
        if (error == null && value != null) {
            if (epoch == appliedEpoch + 1) {
                apply(EpochRecord.fromBytes(value), epoch);
            }
            catchUp();
            followNext();
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof MemFabricTimeoutException) {
            checkGap();
            followNext();
        } else {
            LOG.debug("group {} rank {}: waiting for epoch {} failed: {}", context.name(), rank, epoch,
                    String.valueOf(cause));
            nextFollowNs = System.nanoTime() + FOLLOW_RETRY_NS;
        }
    }

    /** Applies every record already in the store after the applied epoch. */
    private void catchUp() {
        if (!runner.isRunning()) {
            return;
        }
        try {
            byte[] next;
            while ((next = view.get(GroupKeys.epoch(appliedEpoch + 1))) != null) {
                apply(EpochRecord.fromBytes(next), appliedEpoch + 1);
            }
        } catch (RuntimeException e) {
            LOG.debug("group {} rank {}: catching up after epoch {} failed: {}", context.name(), rank, appliedEpoch,
                    e.toString());
        }
    }

    /** After a long quiet wait: if the record after ours was deleted (we fell behind the retention), jump ahead. */
    private void checkGap() {
        Membership current = membership.current();
        byte[] hint = view.get(GroupKeys.MEMBERSHIP);
        if (hint == null || Membership.fromBytes(hint).epoch() <= current.epoch() + 1
                || view.exists(GroupKeys.epoch(current.epoch() + 1)) > 0) {
            return;
        }
        Membership tip = proposer.readTip(Membership.fromBytes(hint));
        LOG.warn("group {} rank {}: fell behind the epoch records; jumping from {} to {}", context.name(), rank,
                current, tip);
        List<MembershipEvent> events = new ArrayList<>();
        for (int r : tip.ranks()) {
            if (!current.contains(r)) {
                events.add(new MembershipEvent(MembershipEvent.Kind.JOINED, r, tip));
            }
        }
        for (int r : current.ranks()) {
            if (!tip.contains(r)) {
                events.add(new MembershipEvent(MembershipEvent.Kind.LEFT, r, tip));
            }
        }
        change(tip, true, !tip.contains(rank), "membership changed to " + tip, events);
    }

    // ------------------------------------------------------------------------------------------------------- apply

    private void apply(EpochRecord record, long epoch) {
        Membership next = record.membership();
        if (next.epoch() != epoch) {
            throw new ProtocolException("group " + context.name() + ": record of epoch " + epoch + " holds " + next);
        }
        boolean removal = record.kind() != MembershipEvent.Kind.JOINED;
        String verb = switch (record.kind()) {
            case JOINED -> "joined";
            case LEFT -> "left";
            case FAILED -> "failed";
        };
        change(next, removal, removal && record.rank() == rank, "rank " + record.rank() + " " + verb + " (epoch "
                + epoch + ")", List.of(record.toEvent()));
    }

    /**
     * Makes {@code next} the applied membership: swaps the snapshot, acknowledges it if a member, aborts the rounds it
     * dooms with {@code reason}, and tells the listeners of {@code events}.
     *
     * @param removal         whether a rank was removed (a leave, a failure, or a jump over unknown changes)
     * @param removesThisRank whether this rank is no longer a member because of it
     */
    private void change(Membership next, boolean removal, boolean removesThisRank, String reason,
                        List<MembershipEvent> events) {
        List<MembershipListener> targets = listeners.targets();
        if (removesThisRank) {
            membership.removedAt(next.epoch());
        }
        List<RoundRegistry.Pending> doomed = rounds.swap(next, removal);
        appliedEpoch = next.epoch();
        if (next.contains(rank)) {
            store.acknowledge(next);
        }
        for (RoundRegistry.Pending round : doomed) {
            round.abort(next.epoch(), ErrorCode.GROUP_MEMBERSHIP_CHANGED, reason);
        }
        for (MembershipEvent event : events) {
            listeners.dispatch(targets, event);
        }
    }

    // ------------------------------------------------------------------------------------------------ store events

    private void removeIfFailed(StoreEvent event) {
        if (event.kind() != StoreEvent.Kind.DOWN || event.rank() < 0 || event.rank() == rank
                || !event.namespace().equals(view.prefix()) || !membership.isMember()) {
            return;
        }
        int failed = event.rank();
        EpochRecord removed = proposer.propose(tip -> {
            if (!tip.contains(failed)) {
                return null;
            }
            byte[] holder = view.get(GroupKeys.incarnation(failed));
            if (holder != null && !new String(holder, StandardCharsets.UTF_8).equals(event.name())) {
                return null; // A newer process holds the rank; this is a late "down" of an older one.
            }
            return new EpochRecord(MembershipEvent.Kind.FAILED, failed, tip.withLeft(failed));
        }, "removal of failed rank " + failed);
        if (removed != null) {
            LOG.info("group {} rank {}: removed failed rank {} ({}) at epoch {}", context.name(), rank, failed,
                    event.reason(), removed.membership().epoch());
        }
    }
}
