package io.memfabric.group;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.CloseOnce;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One rank's handle on a group: membership by epochs, barrier and allgather among the members, and sub-groups named
 * by a key, all kept in the config store under the group's namespace (key layout: {@link GroupKeys}).
 *
 * <h2>Membership</h2>
 * A {@link Membership} {@code {epoch, ranks}} changes only by one compare-and-set in the store: the change from epoch
 * k to k+1 is the creation of the record {@code e<k+1>} ({@code MF.CAS} with an empty expected value). Proposers read
 * the newest record, derive the next membership, and retry on conflict, so changes are serialised, no update is lost,
 * and epochs have no gaps. Every engine follows the records in order on its agent thread, swaps its snapshot
 * ({@link #membership()}) with one release store, acknowledges the epoch if it is a member, and tells its listeners.
 * <ul>
 *   <li>{@link #join()} adds this rank and returns once every member of the new epoch has applied it (their agents
 *       acknowledge it without any call from their application): a join is collective with the current members.</li>
 *   <li>{@link #leave()} removes this rank and returns once the remaining members have applied that.</li>
 *   <li>Failure: ranks take their rank with {@code MF.RANK} in the group's namespace and announce it with
 *       {@code MF.HELLO}; when the store publishes that rank {@code down} (disconnect or missed heartbeats), each
 *       surviving member proposes its removal, one wins, and every engine reports {@link MembershipEvent.Kind#FAILED}.
 *       A late {@code down} of a previous process of a rank does not remove the process that holds it now.</li>
 * </ul>
 *
 * <h2>Collectives</h2>
 * {@link #barrier()} and {@link #allGather(byte[])} run among the members of the caller's current epoch; their
 * rounds are numbered from 0 in each epoch. {@link #barrier(String, int)} and {@link #allGather(String, int, byte[])}
 * run among any {@code size} ranks that use the same key, with no setup; their rounds are numbered per key. Round
 * numbers are kept by each engine, so <b>every participant must call the same sequence of collectives</b> (per epoch
 * for the group, per key for a sub-group), as with MPI.
 *
 * <p>When a member leaves or fails, every pending round that cannot complete any more is aborted on every participant
 * with {@link ErrorCode#GROUP_MEMBERSHIP_CHANGED} (naming the round and the rank lost) instead of waiting for the
 * timeout; the outcome is the same for all participants (see {@code StoreRounds}). A round of the group at an older
 * epoch is aborted by any membership change, including a join; a sub-group round by any leave or failure in the group
 * (the engine cannot know who belongs to a sub-group). A member that had no round pending learns of the change from its
 * next collective of the group, which fails the same way without running. So every member sees the change at the same
 * point of its sequence of collectives: <b>on {@code GROUP_MEMBERSHIP_CHANGED}, the collective did not take place; call
 * the same step again</b> (if a step is several collectives, e.g. barrier then allgather, start the step again). By the
 * time the exception is thrown this engine has applied the new epoch, so the retry runs among the new members.
 *
 * <p>Thread safety: every method may be called from any thread. Collectives, {@code join} and {@code leave} of one
 * engine are serialised (one runs at a time); call them from one thread so their order is the one you mean. Listeners
 * run on one callback thread ({@code memfabric-<group>-r<rank>-callback}); the membership is followed on the agent
 * thread ({@code memfabric-<group>-r<rank>-group}); both are made by the options' thread factory and joined on
 * {@link #close()}.
 *
 * <h2>Structure</h2>
 * The engine is a facade over package-private parts with one job each (docs/group.md): {@code EpochProposer} makes
 * epochs, {@code GroupAgent} follows and applies them, {@code Collectives} runs the rounds through a
 * {@code RoundBarrier} ({@code StoreRounds}), {@code MembershipChanges} joins and leaves, and
 * {@code ListenerDispatcher} runs the listeners.
 */
public final class GroupEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupEngine.class);

    private final EngineContext context;
    private final MembershipState membership;
    private final RoundRegistry rounds;
    private final ListenerDispatcher listeners;
    private final GroupAgent agent;
    private final AutoCloseable eventSubscription;
    private final Collectives collectives;
    private final MembershipChanges changes;
    /** Serialises collectives, join and leave of this engine. */
    private final ReentrantLock serial = new ReentrantLock();

    private GroupEngine(GroupOptions options, StoreClient view, int rank) {
        this.context = new EngineContext(options, view, rank, new CloseOnce());
        String incarnation = options.name() + "-r" + rank + "-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        this.membership = new MembershipState(context);
        this.rounds = new RoundRegistry(membership);
        EpochProposer proposer = new EpochProposer(context, membership);
        StoreRounds store = new StoreRounds(context);
        AutoCloseable subscription = null;
        ListenerDispatcher dispatcher = null;
        try {
            view.hello(incarnation, rank);
            dispatcher = new ListenerDispatcher(context);
            GroupAgent follower = new GroupAgent(context, membership, rounds, proposer, store, dispatcher);
            // Subscribe before reading the membership, so that no "down" after the read is missed.
            subscription = view.subscribeEvents(follower::onStoreEvent);
            Membership start = proposer.readTip(Membership.EMPTY);
            membership.publish(start);
            follower.start(start);
            this.listeners = dispatcher;
            this.agent = follower;
            this.eventSubscription = subscription;
        } catch (Throwable t) {
            CloseHelper.quietClose(dispatcher);
            CloseHelper.quietClose(subscription);
            throw t;
        }
        this.collectives = new Collectives(context, membership, rounds, store, agent);
        this.changes = new MembershipChanges(context, incarnation, membership, proposer, rounds, store, agent,
                collectives);
    }

    /**
     * Opens this process's engine for one group: takes a rank in the group's namespace ({@code MF.RANK}; the one in
     * the options, or the lowest free one) and announces it ({@code MF.HELLO}) so that the store reports this process
     * {@code down} if it dies. The engine is not a member until {@link #join()}.
     *
     * <p>Liveness is per store connection: give each engine its own root client (one process, one group, one client is
     * the usual case). The rank stays taken until that client closes.
     *
     * @param store   a client of the store (not closed by the engine; close it after the engine)
     * @param options the group's settings
     * @return the engine; the caller closes it
     * @throws io.memfabric.error.StoreException {@code STORE_WORLD_SIZE_EXCEEDED} or {@code STORE_RANK_UNAVAILABLE}
     *                                           when no rank (or not the one asked for) is free
     */
    public static GroupEngine open(StoreClient store, GroupOptions options) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(options, "options");
        StoreClient view = store.withPrefix(options.namespace());
        try {
            int rank = view.assignRank(options.worldSize(), options.rank());
            return new GroupEngine(options, view, rank);
        } catch (Throwable t) {
            CloseHelper.quietClose(view);
            throw t;
        }
    }

    /** @return this engine's rank, {@code 0..worldSize-1}. */
    public int rank() {
        return context.rank();
    }

    /** @return the options the engine was opened with. */
    public GroupOptions options() {
        return context.options();
    }

    /**
     * @return the membership this engine has applied (the newest epoch it has seen; other members may be an epoch
     *         ahead or behind for a moment)
     */
    public Membership membership() {
        return membership.current();
    }

    /** @return whether this engine has joined and its rank is a member at the applied epoch. */
    public boolean isMember() {
        return membership.isMember();
    }

    /**
     * Registers a listener of membership changes; it sees the changes applied from now on, on the callback thread.
     *
     * @return closing it removes the listener
     */
    public AutoCloseable addListener(MembershipListener listener) {
        Objects.requireNonNull(listener, "listener");
        return listeners.add(listener);
    }

    /**
     * Waits until the applied membership satisfies {@code condition}, e.g. {@code m -> m.size() == 8}.
     *
     * @return the first applied membership that satisfies it
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} naming the last membership seen
     */
    public Membership awaitMembership(Predicate<Membership> condition, Duration timeout) {
        context.ensureOpen();
        Membership m = membership.await(condition, System.nanoTime() + timeout.toNanos());
        if (m == null) {
            throw new MemFabricTimeoutException("awaitMembership of group " + context.name() + " rank "
                    + context.rank() + ": condition not met after " + timeout.toMillis() + " ms (last "
                    + membership.current() + ")");
        }
        return m;
    }

    /**
     * Joins the group: this rank becomes a member at a new epoch. Returns once every member of that epoch has applied
     * it (or a later removal made that impossible), so a collective started after it includes this rank everywhere.
     * If the store still lists this rank from a previous process, that process is first removed as failed.
     *
     * @throws MemFabricException        {@link ErrorCode#REPEAT_CALL} when already a member
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} when members did not acknowledge in time (the join
     *                                   has taken effect)
     */
    public void join() {
        serialised(() -> {
            changes.join();
            return null;
        });
    }

    /**
     * Leaves the group: this rank stops being a member at a new epoch. Returns once the remaining members have applied
     * it. Call it between collectives: a round the other members are waiting in is aborted for them. The engine stays
     * open and may {@link #join()} again.
     *
     * @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} when not a member
     */
    public void leave() {
        serialised(() -> {
            changes.leave();
            return null;
        });
    }

    /**
     * Waits until every member of the current epoch has called {@code barrier()} (round n of the epoch).
     *
     * @throws MemFabricException        {@link ErrorCode#GROUP_MEMBERSHIP_CHANGED} when the membership changed since
     *                                   this rank's last collective or during this one (call again),
     *                                   {@link ErrorCode#NOT_INITIALIZED} when not a member
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} naming the round and how many arrived
     */
    public void barrier() {
        collective(null, 0, null);
    }

    /**
     * Gathers one payload from every member of the current epoch.
     *
     * @param data this rank's payload, any size from 0 to the store's value limit (all payloads together must fit
     *             in one store value)
     * @return the payloads of all members, ordered by rank (element i is the payload of
     *         {@code membership().rankAt(i)})
     * @throws MemFabricException        as {@link #barrier()}
     * @throws MemFabricTimeoutException as {@link #barrier()}
     */
    public List<byte[]> allGather(byte[] data) {
        return collective(null, 0, Objects.requireNonNull(data, "data"));
    }

    /**
     * Waits until {@code size} ranks have called {@code barrier(key, size)} (round n of that key). Needs no setup and
     * no membership; every participant passes the same {@code size}.
     *
     * @param key  the sub-group's name: 1..256 printable characters, no blanks
     * @param size how many ranks take part, 1..{@value GroupOptions#MAX_WORLD_SIZE}
     * @throws MemFabricException        {@link ErrorCode#GROUP_MEMBERSHIP_CHANGED} when a member of the group left or
     *                                   failed first (call again); {@link ErrorCode#INVALID_PARAM} on a bad key or size
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} naming the round and how many arrived
     */
    public void barrier(String key, int size) {
        collective(Collectives.checkKey(key, size), size, null);
    }

    /**
     * Gathers one payload from each of the {@code size} ranks that call {@code allGather(key, size, ...)}.
     *
     * @return the payloads ordered by the participants' ranks
     * @throws MemFabricException        as {@link #barrier(String, int)}
     * @throws MemFabricTimeoutException as {@link #barrier(String, int)}
     */
    public List<byte[]> allGather(String key, int size, byte[] data) {
        return collective(Collectives.checkKey(key, size), size, Objects.requireNonNull(data, "data"));
    }

    /**
     * Leaves the group if a member (best effort: a failure is logged, and the other members then see this rank fail),
     * aborts rounds still pending on other threads, stops and joins the engine's threads, and closes its store view.
     * Idempotent. The store client passed to {@link #open} stays open.
     */
    @Override
    public void close() {
        if (!context.closed().begin()) {
            return;
        }
        rounds.abortAll(ErrorCode.GROUP_MEMBERSHIP_CHANGED, "rank " + context.rank() + " closed its engine");
        leaveOnClose();
        membership.wakeWaiters();
        CloseHelper.closeAll(agent, eventSubscription, listeners, context.view());
    }

    @Override
    public String toString() {
        return "GroupEngine{group=" + context.name() + ", rank=" + context.rank() + ", " + membership() + "}";
    }

    private List<byte[]> collective(String key, int subSize, byte[] data) {
        context.ensureOpen();
        GatherCodec.checkPayload(context.name(), data);
        return serialised(() -> collectives.run(key, subSize, data));
    }

    /** Runs {@code step} as the one collective, join or leave of this engine running now. */
    private <T> T serialised(Supplier<T> step) {
        context.ensureOpen();
        serial.lock();
        try {
            return step.get();
        } finally {
            serial.unlock();
        }
    }

    /** Best effort: a failure is logged, and the other members then see this rank fail. */
    private void leaveOnClose() {
        try {
            if (serial.tryLock(context.timeoutNs(), TimeUnit.NANOSECONDS)) {
                try {
                    if (isMember()) {
                        changes.leave();
                    }
                } finally {
                    serial.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("group {} rank {}: leave on close failed: {}", context.name(), context.rank(), e.toString());
        }
    }
}
