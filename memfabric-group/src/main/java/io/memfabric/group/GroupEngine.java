package io.memfabric.group;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.ProtocolException;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

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
 * timeout; the outcome is the same for all participants (see {@link Round}). A round of the group at an older epoch is
 * aborted by any membership change, including a join; a sub-group round by any leave or failure in the group (the
 * engine cannot know who belongs to a sub-group). A member that had no round pending learns of the change from its next
 * collective of the group, which fails the same way without running. So every member sees the change at the same
 * point of its sequence of collectives: <b>on {@code GROUP_MEMBERSHIP_CHANGED}, the collective did not take place; call
 * the same step again</b> (if a step is several collectives, e.g. barrier then allgather, start the step again). By the
 * time the exception is thrown this engine has applied the new epoch, so the retry runs among the new members.
 *
 * <p>Thread safety: every method may be called from any thread. Collectives, {@code join} and {@code leave} of one
 * engine are serialised (one runs at a time); call them from one thread so their order is the one you mean. Listeners
 * run on one callback thread ({@code memfabric-<group>-r<rank>-callback}); the membership is followed on the agent
 * thread ({@code memfabric-<group>-r<rank>-group}); both are made by the options' thread factory and joined on
 * {@link #close()}.
 */
public final class GroupEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupEngine.class);

    /** How long one server-side wait for the next epoch record lasts before the agent checks for a gap. */
    private static final Duration FOLLOW_PERIOD = Duration.ofSeconds(10);
    /** Pause before the agent asks again after a failed wait (e.g. the store is reconnecting). */
    private static final long FOLLOW_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long a participant whose own wait timed out waits for the decision of an earlier poison. */
    private static final Duration DECISION_WAIT = Duration.ofSeconds(5);
    /** Header of one allgather element: rank u32, length u32 (big-endian). */
    private static final int GATHER_HEADER_BYTES = 2 * Integer.BYTES;
    /** DESIGN §3 store value limit (redis-server allows 512 MiB); one element must fit on its own. */
    private static final long MAX_VALUE_BYTES = 64L << 20;
    /** Longest sub-group key (the store's key limit is 2 KiB, shared with the namespace and the round suffix). */
    private static final int MAX_SUB_KEY_LENGTH = 256;
    private static final byte[] EMPTY = new byte[0];
    private static final Runnable WAKE_UP = () -> { };

    private static final VarHandle CLOSED;
    private static final VarHandle MEMBERSHIP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLOSED = lookup.findVarHandle(GroupEngine.class, "closed", boolean.class);
            MEMBERSHIP = lookup.findVarHandle(GroupEngine.class, "currentMembership", Membership.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GroupOptions options;
    private final StoreClient view;
    private final int rank;
    private final String name;
    private final String incarnation;
    private final long timeoutNs;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
    private final ExecutorService callbacks;
    /** The one callback thread (set by the executor's factory), so that close() called from a listener can tell. */
    private volatile Thread callbackThread;
    private final Thread agentThread;
    private final AutoCloseable eventSubscription;

    /** Written only by the agent thread, with a release store; read with an acquire load. */
    @SuppressWarnings("unused")
    private Membership currentMembership;

    /** Orders the agent's snapshot swap against the registration of rounds, so no new round escapes a poison. */
    private final Object roundLock = new Object();
    private final List<Round> pending = new ArrayList<>();
    private final Object epochMonitor = new Object();
    private final ReentrantLock collectiveLock = new ReentrantLock();

    // Collective state: guarded by collectiveLock.
    private long worldEpoch = -1;
    private long worldSeq;
    private final Map<String, Long> subSeq = new HashMap<>();

    // Agent state: the agent thread only.
    private long appliedEpoch;
    private boolean followPending;
    private long followGeneration;
    private long followStartedNs;
    private long nextFollowNs;

    /**
     * The epoch at which this engine's join took effect, or -1: the store may still list this rank for a previous
     * process, which does not make this engine a member.
     */
    private volatile long joinedAt = -1;
    private volatile boolean running = true;
    @SuppressWarnings("unused")
    private volatile boolean closed;

    private GroupEngine(GroupOptions options, StoreClient view, int rank) {
        this.options = options;
        this.view = view;
        this.rank = rank;
        this.name = options.name();
        this.timeoutNs = options.operationTimeout().toNanos();
        this.incarnation = name + "-r" + rank + "-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        String threadPrefix = "memfabric-" + name + "-r" + rank + "-";
        AutoCloseable subscription = null;
        ExecutorService executor = null;
        try {
            view.hello(incarnation, rank);
            // Subscribe before reading the membership, so that no "down" after the read is missed.
            subscription = view.subscribeEvents(event -> commands.offer(() -> onStoreEvent(event)));
            Membership start = readTip(Membership.EMPTY);
            MEMBERSHIP.setRelease(this, start);
            appliedEpoch = start.epoch();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.NANOSECONDS,
                    new LinkedBlockingQueue<>(), r -> callbackThread = named(r, threadPrefix + "callback"));
            pool.prestartAllCoreThreads();
            executor = pool;
            this.callbacks = executor;
            this.eventSubscription = subscription;
            this.agentThread = named(this::runAgent, threadPrefix + "group");
            agentThread.start();
        } catch (Throwable t) {
            if (executor != null) {
                executor.shutdownNow();
            }
            CloseHelper.quietClose(subscription);
            throw t;
        }
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
        return rank;
    }

    /** @return the options the engine was opened with. */
    public GroupOptions options() {
        return options;
    }

    /**
     * @return the membership this engine has applied (the newest epoch it has seen; other members may be an epoch
     *         ahead or behind for a moment)
     */
    public Membership membership() {
        // Acquire: pairs with the agent's release store, so the ranks of the snapshot are fully visible.
        return (Membership) MEMBERSHIP.getAcquire(this);
    }

    /** @return whether this engine has joined and its rank is a member at the applied epoch. */
    public boolean isMember() {
        return joinedAt >= 0 && membership().contains(rank);
    }

    /**
     * Registers a listener of membership changes; it sees the changes applied from now on, on the callback thread.
     *
     * @return closing it removes the listener
     */
    public AutoCloseable addListener(MembershipListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Waits until the applied membership satisfies {@code condition}, e.g. {@code m -> m.size() == 8}.
     *
     * @return the first applied membership that satisfies it
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} naming the last membership seen
     */
    public Membership awaitMembership(Predicate<Membership> condition, Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (epochMonitor) {
            while (true) {
                ensureOpen();
                Membership m = membership();
                if (condition.test(m)) {
                    return m;
                }
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    throw new MemFabricTimeoutException("awaitMembership of group " + name + " rank " + rank
                            + ": condition not met after " + timeout.toMillis() + " ms (last " + m + ")");
                }
                waitOn(epochMonitor, remainingNs);
            }
        }
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
        ensureOpen();
        collectiveLock.lock();
        try {
            Membership now = membership();
            if (isMember()) {
                throw new MemFabricException(ErrorCode.REPEAT_CALL, "join: rank " + rank + " is already a member of "
                        + "group " + name + " (" + now + ")");
            }
            long deadlineNs = System.nanoTime() + timeoutNs;
            view.set(GroupKeys.incarnation(rank), incarnation.getBytes(StandardCharsets.UTF_8));
            EpochRecord joined;
            do {
                joined = propose(tip -> tip.contains(rank)
                        ? new EpochRecord(MembershipEvent.Kind.FAILED, rank, tip.withLeft(rank))
                        : new EpochRecord(MembershipEvent.Kind.JOINED, rank, tip.withJoined(rank)), "join");
                if (joined.kind() != MembershipEvent.Kind.JOINED) {
                    LOG.info("group {} rank {}: removed the previous process of this rank at epoch {}", name, rank,
                            joined.membership().epoch());
                }
            } while (joined.kind() != MembershipEvent.Kind.JOINED);
            joinedAt = joined.membership().epoch();
            worldEpoch = -1; // A new membership for this engine: its first collective starts the sequence afresh.
            awaitAcknowledged(joined.membership(), "join", deadlineNs);
            awaitEpoch(joined.membership().epoch(), deadlineNs, "join");
        } finally {
            collectiveLock.unlock();
        }
    }

    /**
     * Leaves the group: this rank stops being a member at a new epoch. Returns once the remaining members have applied
     * it. Call it between collectives: a round the other members are waiting in is aborted for them. The engine stays
     * open and may {@link #join()} again.
     *
     * @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} when not a member
     */
    public void leave() {
        ensureOpen();
        collectiveLock.lock();
        try {
            leaveLocked();
        } finally {
            collectiveLock.unlock();
        }
    }

    private void leaveLocked() {
        Membership now = membership();
        if (!isMember()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "leave: rank " + rank + " is not a member of group "
                    + name + " (" + now + ")");
        }
        long deadlineNs = System.nanoTime() + timeoutNs;
        EpochRecord left = propose(tip -> tip.contains(rank)
                ? new EpochRecord(MembershipEvent.Kind.LEFT, rank, tip.withLeft(rank)) : null, "leave");
        joinedAt = -1;
        if (left == null) {
            return; // Already removed (reported as failed); nothing to leave.
        }
        if (!left.membership().isEmpty()) {
            awaitAcknowledged(left.membership(), "leave", deadlineNs);
        }
        awaitEpoch(left.membership().epoch(), deadlineNs, "leave");
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
        collective(checkKey(key, size), size, null);
    }

    /**
     * Gathers one payload from each of the {@code size} ranks that call {@code allGather(key, size, ...)}.
     *
     * @return the payloads ordered by the participants' ranks
     * @throws MemFabricException        as {@link #barrier(String, int)}
     * @throws MemFabricTimeoutException as {@link #barrier(String, int)}
     */
    public List<byte[]> allGather(String key, int size, byte[] data) {
        return collective(checkKey(key, size), size, Objects.requireNonNull(data, "data"));
    }

    /**
     * Leaves the group if a member (best effort: a failure is logged, and the other members then see this rank fail),
     * aborts rounds still pending on other threads, stops and joins the engine's threads, and closes its store view.
     * Idempotent. The store client passed to {@link #open} stays open.
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        List<Round> stranded;
        synchronized (roundLock) {
            stranded = new ArrayList<>(pending);
        }
        for (Round round : stranded) {
            poisonQuietly(round, 0, ErrorCode.GROUP_MEMBERSHIP_CHANGED, "rank " + rank + " closed its engine");
        }
        try {
            if (collectiveLock.tryLock(timeoutNs, TimeUnit.NANOSECONDS)) {
                try {
                    if (isMember()) {
                        leaveLocked();
                    }
                } finally {
                    collectiveLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("group {} rank {}: leave on close failed: {}", name, rank, e.toString());
        }
        running = false;
        commands.offer(WAKE_UP);
        synchronized (epochMonitor) {
            epochMonitor.notifyAll();
        }
        CloseHelper.closeAll(this::stopAgent, eventSubscription, this::stopCallbacks, view);
    }

    @Override
    public String toString() {
        return "GroupEngine{group=" + name + ", rank=" + rank + ", " + membership() + "}";
    }

    // ---------------------------------------------------------------------------------------------- collectives

    private static String checkKey(String key, int size) {
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

    private List<byte[]> collective(String key, int subSize, byte[] data) {
        ensureOpen();
        if (data != null && data.length > MAX_VALUE_BYTES - GATHER_HEADER_BYTES) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "allGather of group " + name + ": payload length="
                    + data.length + " (expected: <= " + (MAX_VALUE_BYTES - GATHER_HEADER_BYTES)
                    + ", the store value limit)");
        }
        String what = data == null ? "barrier" : "allGather";
        collectiveLock.lock();
        try {
            long deadlineNs = System.nanoTime() + timeoutNs;
            Membership members = null;
            Round round;
            synchronized (roundLock) {
                if (key == null) {
                    members = membership();
                    if (joinedAt < 0 || !members.contains(rank)) {
                        throw new MemFabricException(ErrorCode.NOT_INITIALIZED, what + ": rank " + rank
                                + " is not a member of group " + name + " (" + members + "); join() first");
                    }
                    if (members.epoch() != worldEpoch) {
                        long before = worldEpoch;
                        worldEpoch = members.epoch();
                        worldSeq = 0;
                        if (before >= 0) {
                            // Every member learns of a change at the same point of its sequence: either its round
                            // of the old epoch is aborted, or (here) its first collective after the change fails.
                            throw new MemFabricException(ErrorCode.GROUP_MEMBERSHIP_CHANGED, what + " of group "
                                    + name + ": the membership changed since rank " + rank + "'s last collective "
                                    + "(epoch " + before + ", now " + members + "); call it again");
                        }
                    }
                    long seq = worldSeq++;
                    round = new Round(Round.Type.WORLD, GroupKeys.WORLD + members.epoch(), members.epoch(), seq,
                            members.size(), data != null, what + " round " + GroupKeys.world(members.epoch(), seq)
                            + " of group " + name + " (" + members.size() + " members)");
                } else {
                    long seq = subSeq.merge(key, 1L, Long::sum) - 1;
                    round = new Round(Round.Type.SUB, "s." + key, -1, seq, subSize, data != null, what + " round "
                            + GroupKeys.sub(key, seq) + " of group " + name + " (size " + subSize + ")");
                }
                pending.add(round);
            }
            try {
                return run(round, data, members, deadlineNs);
            } finally {
                synchronized (roundLock) {
                    pending.remove(round);
                }
            }
        } finally {
            collectiveLock.unlock();
        }
    }

    private List<byte[]> run(Round round, byte[] data, Membership members, long deadlineNs) {
        long arrival;
        try {
            if (round.gather) {
                ByteBuffer frame = ByteBuffer.allocate(GATHER_HEADER_BYTES + data.length);
                frame.putInt(rank).putInt(data.length).put(data);
                view.append(round.dataKey(), frame.array());
            }
            arrival = view.add(round.counterKey(), 1);
        } catch (RuntimeException e) {
            // This rank cannot take part: abort the round for the others rather than leave them to time out.
            poisonQuietly(round, 0, ErrorCode.ERROR, "rank " + rank + " failed to arrive: " + e.getMessage());
            throw e;
        }
        if (arrival < Round.POISON) {
            if (arrival > round.size) {
                throw new MemFabricException(ErrorCode.INVALID_PARAM, round.label + ": arrival " + arrival
                        + " of " + round.size + " (expected: every participant passes the same size and calls each "
                        + "round once)");
            }
            if (arrival == 1) {
                deleteOldRounds(round);
            }
            if (arrival == round.size) {
                view.set(round.releaseKey(), Round.ok());
            }
        }
        awaitRelease(round, deadlineNs);
        if (!round.gather) {
            return null;
        }
        byte[] gathered = view.get(round.dataKey());
        if (gathered == null) {
            throw new ProtocolException(round.label + ": released but its data key " + round.dataKey()
                    + " is missing");
        }
        return parseGathered(round, gathered, members);
    }

    private void awaitRelease(Round round, long deadlineNs) {
        byte[] release;
        try {
            release = view.waitFor(round.releaseKey(), remaining(deadlineNs));
        } catch (MemFabricTimeoutException e) {
            Round.Decision decision = round.poison(view, 0, ErrorCode.TIMEOUT, "rank " + rank + " timed out after "
                    + options.operationTimeout().toMillis() + " ms");
            if (decision.first()) {
                if (decision.completed()) {
                    return;
                }
                throw new MemFabricTimeoutException(ErrorCode.TIMEOUT, round.label + ": " + decision.arrived()
                        + " of " + round.size + " arrived after " + options.operationTimeout().toMillis() + " ms");
            }
            try {
                release = view.waitFor(round.releaseKey(), DECISION_WAIT);
            } catch (MemFabricTimeoutException again) {
                throw new MemFabricTimeoutException(ErrorCode.TIMEOUT, round.label + ": about " + decision.arrived()
                        + " of " + round.size + " arrived after " + options.operationTimeout().toMillis() + " ms");
            }
        }
        if (Round.isOk(release)) {
            return;
        }
        String text = new String(release, StandardCharsets.UTF_8);
        long epoch = Round.abortEpoch(text);
        if (epoch > 0) {
            // The retry must run among the new members: wait until this engine has applied the epoch that aborted it.
            try {
                awaitEpoch(epoch, deadlineNs, round.label);
            } catch (MemFabricException ignored) {
                // Report the abort itself; the caller's retry will see the membership as it is.
            }
        }
        if (round.type == Round.Type.WORLD) {
            // This abort tells the caller of every change up to the applied epoch; the retry starts there afresh.
            worldEpoch = membership().epoch();
            worldSeq = 0;
        }
        ErrorCode code = Round.abortCode(text);
        String message = round.label + " aborted: " + Round.abortReason(text);
        if (code == ErrorCode.TIMEOUT) {
            throw new MemFabricTimeoutException(ErrorCode.TIMEOUT, message);
        }
        throw new MemFabricException(code, message);
    }

    private List<byte[]> parseGathered(Round round, byte[] gathered, Membership members) {
        ByteBuffer in = ByteBuffer.wrap(gathered);
        int[] ranks = new int[round.size];
        byte[][] payloads = new byte[round.size][];
        int n = 0;
        while (in.remaining() > 0) {
            if (in.remaining() < GATHER_HEADER_BYTES || n == round.size) {
                throw new ProtocolException(round.label + ": malformed gathered value (" + gathered.length
                        + " bytes, " + n + " elements read, " + in.remaining() + " bytes left)");
            }
            int from = in.getInt();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new ProtocolException(round.label + ": element of rank " + from + " length=" + length
                        + " (expected: <= " + in.remaining() + ")");
            }
            ranks[n] = from;
            payloads[n] = new byte[length];
            in.get(payloads[n]);
            n++;
        }
        if (n != round.size) {
            throw new ProtocolException(round.label + ": gathered " + n + " elements (expected: " + round.size + ")");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(ranks[a], ranks[b]));
        List<byte[]> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int r = ranks[order[i]];
            if (i > 0 && r == ranks[order[i - 1]]) {
                throw new ProtocolException(round.label + ": rank " + r + " contributed twice");
            }
            if (members != null && members.rankAt(i) != r) {
                throw new ProtocolException(round.label + ": gathered from rank " + r + " (expected: the members "
                        + members.encode() + ")");
            }
            result.add(payloads[order[i]]);
        }
        return result;
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
            LOG.debug("group {} rank {}: cleanup before {} failed: {}", name, rank, round.label, e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------ membership

    /**
     * The compare-and-set loop: read the newest epoch, derive the next one, create its record; on conflict, someone
     * else made that epoch: read again.
     *
     * @param derive the next record from the newest membership, or {@code null} when there is nothing to do
     * @return the record created, or {@code null}
     */
    private EpochRecord propose(Function<Membership, EpochRecord> derive, String what) {
        long deadlineNs = System.nanoTime() + timeoutNs;
        Membership tip = membership();
        while (true) {
            tip = readTip(tip);
            EpochRecord record = derive.apply(tip);
            if (record == null) {
                return null;
            }
            long epoch = record.membership().epoch();
            StoreClient.CasResult result = view.compareAndSet(GroupKeys.epoch(epoch), EMPTY, record.toBytes());
            if (result.swapped()) {
                advanceHint(record.membership());
                if (epoch > GroupKeys.EPOCH_RETENTION) {
                    long old = epoch - GroupKeys.EPOCH_RETENTION;
                    view.delete(GroupKeys.epoch(old), GroupKeys.ack(old) + GroupKeys.BARRIER_COUNTER,
                            GroupKeys.ack(old) + GroupKeys.BARRIER_RELEASE);
                }
                return record;
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw new MemFabricTimeoutException(what + " of rank " + rank + " in group " + name + ": no epoch "
                        + "change won after " + options.operationTimeout().toMillis() + " ms (last " + tip + ")");
            }
        }
    }

    /** @return the newest membership: from the hint or {@code from}, whichever is newer, along the epoch records. */
    private Membership readTip(Membership from) {
        Membership tip = from;
        byte[] hint = view.get(GroupKeys.MEMBERSHIP);
        if (hint != null) {
            Membership hinted = Membership.fromBytes(hint);
            if (hinted.epoch() > tip.epoch()) {
                tip = hinted;
            }
        }
        while (true) {
            byte[] next = view.get(GroupKeys.epoch(tip.epoch() + 1));
            if (next == null) {
                return tip;
            }
            tip = EpochRecord.fromBytes(next).membership();
        }
    }

    /** Moves the hint forward to {@code m} unless it is already there or beyond. */
    private void advanceHint(Membership m) {
        byte[] wanted = m.toBytes();
        for (int attempt = 0; attempt < 16; attempt++) {
            byte[] current = view.get(GroupKeys.MEMBERSHIP);
            if (current != null && Membership.fromBytes(current).epoch() >= m.epoch()) {
                return;
            }
            if (view.compareAndSet(GroupKeys.MEMBERSHIP, current == null ? EMPTY : current, wanted).swapped()) {
                return;
            }
        }
    }

    /** Waits for every member of {@code m}'s epoch to acknowledge it; gives up quietly when a removal overtakes it. */
    private void awaitAcknowledged(Membership m, String what, long deadlineNs) {
        long epoch = m.epoch();
        Round ack = new Round(Round.Type.ACK, GroupKeys.ack(epoch), epoch, 0, m.size(), false, what + " of rank "
                + rank + " in group " + name + " at epoch " + epoch);
        synchronized (roundLock) {
            pending.add(ack);
        }
        try {
            byte[] release = view.waitFor(ack.releaseKey(), remaining(deadlineNs));
            if (!Round.isOk(release)) {
                LOG.info("group {} rank {}: {} not acknowledged by all: {}", name, rank, what,
                        Round.abortReason(new String(release, StandardCharsets.UTF_8)));
            }
        } catch (MemFabricTimeoutException e) {
            byte[] count = view.get(ack.counterKey());
            throw new MemFabricTimeoutException(ErrorCode.TIMEOUT, ack.label + ": " + (count == null ? "0"
                    : new String(count, StandardCharsets.US_ASCII)) + " of " + m.size() + " members acknowledged "
                    + "after " + options.operationTimeout().toMillis() + " ms (the change has taken effect)");
        } finally {
            synchronized (roundLock) {
                pending.remove(ack);
            }
        }
    }

    private void awaitEpoch(long epoch, long deadlineNs, String what) {
        if (membership().epoch() < epoch) {
            commands.offer(this::catchUp); // Read the records directly rather than wait for the follow to report.
        }
        synchronized (epochMonitor) {
            while (membership().epoch() < epoch) {
                ensureOpen();
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    throw new MemFabricTimeoutException(what + ": rank " + rank + " of group " + name
                            + " did not apply epoch " + epoch + " in time (at " + membership() + ")");
                }
                waitOn(epochMonitor, remainingNs);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------- agent

    private void runAgent() {
        followNext();
        while (running) {
            Runnable command;
            try {
                command = commands.poll(FOLLOW_RETRY_NS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                break;
            }
            try {
                if (command != null) {
                    command.run();
                }
                long now = System.nanoTime();
                if (running && followPending && now - followStartedNs > 2 * FOLLOW_PERIOD.toNanos()) {
                    // The store never answered the wait (it should within FOLLOW_PERIOD): ask again.
                    LOG.warn("group {} rank {}: no answer to the wait for epoch {}; asking again", name, rank,
                            appliedEpoch + 1);
                    followPending = false;
                    catchUp();
                }
                if (running && !followPending && now - nextFollowNs >= 0) {
                    followNext();
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("group {} rank {}: agent command failed", name, rank, e);
                }
            }
        }
    }

    /** Asks the store for the next epoch record; its arrival (or the wait's end) comes back as a command. */
    private void followNext() {
        long next = appliedEpoch + 1;
        long generation = ++followGeneration;
        followPending = true;
        followStartedNs = System.nanoTime();
        try {
            view.waitForAsync(GroupKeys.epoch(next), FOLLOW_PERIOD)
                    .whenComplete((value, error) -> commands.offer(() -> onFollow(generation, next, value, error)));
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
        if (!running) {
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
            LOG.debug("group {} rank {}: waiting for epoch {} failed: {}", name, rank, epoch, String.valueOf(cause));
            nextFollowNs = System.nanoTime() + FOLLOW_RETRY_NS;
        }
    }

    /** Applies every record already in the store after the applied epoch (agent thread). */
    private void catchUp() {
        if (!running) {
            return;
        }
        try {
            byte[] next;
            while ((next = view.get(GroupKeys.epoch(appliedEpoch + 1))) != null) {
                apply(EpochRecord.fromBytes(next), appliedEpoch + 1);
            }
        } catch (RuntimeException e) {
            LOG.debug("group {} rank {}: catching up after epoch {} failed: {}", name, rank, appliedEpoch,
                    e.toString());
        }
    }

    private void apply(EpochRecord record, long epoch) {
        Membership next = record.membership();
        if (next.epoch() != epoch) {
            throw new ProtocolException("group " + name + ": record of epoch " + epoch + " holds " + next);
        }
        // The listeners registered before the change is visible: one added after membership() shows it does not
        // get it again.
        List<MembershipListener> targets = List.copyOf(listeners);
        boolean removal = record.kind() != MembershipEvent.Kind.JOINED;
        if (removal && record.rank() == rank && epoch > joinedAt) {
            joinedAt = -1; // Removed (e.g. reported failed while alive): this engine must join again.
        }
        List<Round> doomed = swap(next, removal);
        if (next.contains(rank)) {
            acknowledge(next);
        }
        String verb = switch (record.kind()) {
            case JOINED -> "joined";
            case LEFT -> "left";
            case FAILED -> "failed";
        };
        String reason = "rank " + record.rank() + " " + verb + " (epoch " + epoch + ")";
        for (Round round : doomed) {
            poisonQuietly(round, epoch, ErrorCode.GROUP_MEMBERSHIP_CHANGED, reason);
        }
        dispatch(targets, record.toEvent());
    }

    /** Publishes {@code next} and picks the pending rounds it dooms, atomically with respect to new rounds. */
    private List<Round> swap(Membership next, boolean removal) {
        List<Round> doomed = new ArrayList<>();
        synchronized (roundLock) {
            // Release: a reader that sees this snapshot (getAcquire in membership()) sees its ranks fully written.
            MEMBERSHIP.setRelease(this, next);
            for (Round round : pending) {
                boolean older = round.epoch < next.epoch();
                if (round.type == Round.Type.WORLD && older || removal && (round.type == Round.Type.SUB
                        || round.type == Round.Type.ACK && older)) {
                    doomed.add(round);
                }
            }
        }
        appliedEpoch = next.epoch();
        synchronized (epochMonitor) {
            epochMonitor.notifyAll();
        }
        return doomed;
    }

    private void acknowledge(Membership m) {
        Round ack = new Round(Round.Type.ACK, GroupKeys.ack(m.epoch()), m.epoch(), 0, m.size(), false, "ack");
        try {
            long arrival = view.add(ack.counterKey(), 1);
            if (arrival == m.size()) {
                view.set(ack.releaseKey(), Round.ok());
            }
        } catch (RuntimeException e) {
            LOG.debug("group {} rank {}: acknowledging epoch {} failed: {}", name, rank, m.epoch(), e.toString());
        }
    }

    /** After a long quiet wait: if the record after ours was deleted (we fell behind the retention), jump ahead. */
    private void checkGap() {
        Membership current = membership();
        byte[] hint = view.get(GroupKeys.MEMBERSHIP);
        if (hint == null || Membership.fromBytes(hint).epoch() <= current.epoch() + 1
                || view.exists(GroupKeys.epoch(current.epoch() + 1)) > 0) {
            return;
        }
        Membership tip = readTip(Membership.fromBytes(hint));
        List<MembershipListener> targets = List.copyOf(listeners);
        LOG.warn("group {} rank {}: fell behind the epoch records; jumping from {} to {}", name, rank, current, tip);
        if (!tip.contains(rank) && tip.epoch() > joinedAt) {
            joinedAt = -1;
        }
        List<Round> doomed = swap(tip, true);
        if (tip.contains(rank)) {
            acknowledge(tip);
        }
        for (Round round : doomed) {
            poisonQuietly(round, tip.epoch(), ErrorCode.GROUP_MEMBERSHIP_CHANGED, "membership changed to " + tip);
        }
        for (int r : tip.ranks()) {
            if (!current.contains(r)) {
                dispatch(targets, new MembershipEvent(MembershipEvent.Kind.JOINED, r, tip));
            }
        }
        for (int r : current.ranks()) {
            if (!tip.contains(r)) {
                dispatch(targets, new MembershipEvent(MembershipEvent.Kind.LEFT, r, tip));
            }
        }
    }

    private void onStoreEvent(StoreEvent event) {
        if (event.kind() != StoreEvent.Kind.DOWN || event.rank() < 0 || event.rank() == rank
                || !event.namespace().equals(view.prefix()) || !isMember()) {
            return;
        }
        int failed = event.rank();
        EpochRecord removed = propose(tip -> {
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
            LOG.info("group {} rank {}: removed failed rank {} ({}) at epoch {}", name, rank, failed, event.reason(),
                    removed.membership().epoch());
        }
    }

    private void dispatch(List<MembershipListener> targets, MembershipEvent event) {
        if (targets.isEmpty()) {
            return;
        }
        try {
            callbacks.execute(() -> {
                for (MembershipListener listener : targets) {
                    try {
                        listener.onMembershipChange(event);
                    } catch (RuntimeException e) {
                        LOG.warn("group {} rank {}: listener failed on {}", name, rank, event, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("group {} rank {}: closed; dropped {}", name, rank, event);
        }
    }

    private void poisonQuietly(Round round, long epoch, ErrorCode code, String reason) {
        try {
            round.poison(view, epoch, code, reason);
        } catch (RuntimeException e) {
            LOG.debug("group {} rank {}: aborting {} failed: {}", name, rank, round.label, e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------- lifecycle

    private void ensureOpen() {
        if (closed) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "group " + name + " rank " + rank + " is closed");
        }
    }

    private void stopAgent() throws InterruptedException {
        if (Thread.currentThread() != agentThread) {
            agentThread.join(TimeUnit.NANOSECONDS.toMillis(timeoutNs));
        }
    }

    private void stopCallbacks() throws InterruptedException {
        callbacks.shutdown();
        if (Thread.currentThread() != callbackThread) {
            callbacks.awaitTermination(timeoutNs, TimeUnit.NANOSECONDS);
        }
    }

    private Thread named(Runnable runnable, String threadName) {
        Thread thread = options.threadFactory().newThread(runnable);
        thread.setName(threadName);
        return thread;
    }

    private static Duration remaining(long deadlineNs) {
        return Duration.ofNanos(Math.max(deadlineNs - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1)));
    }

    private static void waitOn(Object monitor, long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(monitor, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MemFabricException(ErrorCode.ERROR, "interrupted while waiting", e);
        }
    }
}
