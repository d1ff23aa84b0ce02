package io.memfabric.store.server;

import io.memfabric.error.ErrorCode;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.StoreFaultPoints;
import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server's state and the rules that tie its parts together: the keyspace, blocked waits, watches, pub/sub, ranks,
 * the connections and their liveness. A key's creation releases its waiters and fires its watches; a connection that
 * closes or misses its heartbeats frees its ranks and is announced on {@value StoreEvent#CHANNEL}.
 *
 * <p>Liveness uses one repeating timer per server. It ticks every heartbeat period (the server's, or the shortest one
 * a client announced) and declares down every client that announced itself with {@code MF.HELLO} and has sent
 * nothing for {@code missedHeartbeats} of its periods.
 *
 * <p>Thread safety: not thread safe, by design: everything runs on the server's one event loop, so no state is
 * locked. Only {@link #connectedClients()} may be read from other threads.
 */
final class StoreEngine {
    private static final Logger LOG = LoggerFactory.getLogger(StoreEngine.class);
    private static final StoreKey EVENTS = StoreKey.of(StoreEvent.CHANNEL);

    private final StoreServerOptions options;
    private final EventLoop loop;
    private final Keyspace keyspace = new Keyspace();
    private final WaitQueues waits;
    private final Watches watches = new Watches();
    private final PubSub pubSub = new PubSub();
    private final RankTable ranks = new RankTable();
    private final CommandDispatcher dispatcher;
    private final RateLimitedLog log = new RateLimitedLog(LOG);
    private final OutputLimits outputLimits;
    private final UnauthenticatedClients unauthenticated;
    private final RankReclaimWindow reclaimWindow;
    private final AuthFailures authFailures;
    private final LinkedHashSet<ClientSession> connections = new LinkedHashSet<>();
    private final LinkedHashSet<ClientSession> monitored = new LinkedHashSet<>();
    private final boolean authRequired;
    /** Written on the event loop only; volatile so that {@link StoreServer#connectedClients()} can read it. */
    private volatile int connectedClients;
    private final long createdNs = System.nanoTime();
    private long lastConnectionId;
    private long rejectedConnections;
    private boolean closing;
    private ScheduledFuture<?> livenessTimer;
    private long livenessTickNanos;
    private ScheduledFuture<?> housekeepingTimer;

    StoreEngine(StoreServerOptions options, EventLoop loop) {
        this.options = options;
        this.loop = loop;
        this.authRequired = options.authSecret().isPresent();
        this.outputLimits = new OutputLimits(options.clientLimits(), log);
        this.unauthenticated = new UnauthenticatedClients(options.clientLimits(), log);
        this.authFailures = new AuthFailures(options.clientLimits());
        this.reclaimWindow = new RankReclaimWindow(options.rankReclaimWindow().toNanos());
        this.waits = new WaitQueues(loop, new WaitQueues.Completion() {
            @Override
            public void created(WaitQueues.Waiter waiter, byte[] value, int length) {
                ClientSession c = waiter.connection;
                c.bulk(value, 0, length);
                c.unblock();
                c.flushIfIdle();
            }

            @Override
            public void timedOut(WaitQueues.Waiter waiter) {
                ClientSession c = waiter.connection;
                RespWriter.error(c.out(), ErrorCode.STORE_TIMEOUT.name() + " MF.WAIT key=" + waiter.key + " after "
                        + waiter.timeoutMs + " ms");
                c.unblock();
                c.flushIfIdle();
            }
        });
        this.dispatcher = new CommandDispatcher(this);
    }

    /** Starts the liveness and housekeeping timers; on the event loop. */
    void start() {
        scheduleLiveness(options.heartbeatPeriod().toNanos());
        reclaimWindow.open();
        long periodNs = housekeepingPeriodNs(options.clientLimits());
        housekeepingTimer = loop.scheduleAtFixedRate(this::housekeeping, periodNs, periodNs, TimeUnit.NANOSECONDS);
    }

    /**
     * A quarter of the shorter of the soft output time and the auth timeout, between 10 ms and 1 s: both are enforced
     * at most 25 % (or 1 s) late.
     */
    private static long housekeepingPeriodNs(ClientLimits limits) {
        long shorter = Math.min(limits.outputSoftTime().toNanos(), limits.authTimeout().toNanos());
        return Math.clamp(shorter / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
    }

    private void housekeeping() {
        outputLimits.scan();
        unauthenticated.expire();
        authFailures.expire();
        log.tick();
    }

    /** @return whether clients must {@code AUTH} first. */
    boolean authRequired() {
        return authRequired;
    }

    /** @return the wrong passwords and their delays. */
    AuthFailures authFailures() {
        return authFailures;
    }

    /** @return the connections waiting to authenticate. */
    UnauthenticatedClients unauthenticated() {
        return unauthenticated;
    }

    /** @return the rate-limited log of warnings about clients. */
    RateLimitedLog log() {
        return log;
    }

    /** @return the output limits every flush is checked against. */
    OutputLimits outputLimits() {
        return outputLimits;
    }

    StoreServerOptions options() {
        return options;
    }

    Keyspace keyspace() {
        return keyspace;
    }

    WaitQueues waits() {
        return waits;
    }

    Watches watches() {
        return watches;
    }

    PubSub pubSub() {
        return pubSub;
    }

    /** @return whole seconds since the engine was made. */
    long uptimeSeconds() {
        return (System.nanoTime() - createdNs) / 1_000_000_000L;
    }

    /** @return connections refused because the server had {@code maxClients} ({@code INFO stats}). */
    long rejectedConnections() {
        return rejectedConnections;
    }

    /** @return the number of accepted client connections; safe from any thread. */
    int connectedClients() {
        return connectedClients;
    }

    // ------------------------------------------------------------------------------------------------ connections

    /** @return a handler for a new connection; called on the event loop by the channel initializer. */
    ClientSession newConnection() {
        return new ClientSession(this, ++lastConnectionId, !authRequired);
    }

    /**
     * Admits a connection, or answers {@code -ERR max number of clients reached} and closes it. On a server that
     * requires {@code AUTH}, a new connection counts against the unauthenticated budget instead, and against
     * {@code maxClients} once it authenticates ({@link #authenticated}).
     */
    void connected(ClientSession c) {
        if (closing) {
            c.close();
            return;
        }
        if (StoreFaultPoints.SERVER_ACCEPT.failed()) {
            log.warn("fault", "store client {} closed: fault injected at {}", c.remoteAddress(),
                    StoreFaultPoints.SERVER_ACCEPT.name());
            c.close();
            return;
        }
        if (authRequired) {
            unauthenticated.admit(c);
            connections.add(c);
            connectedClients = connections.size();
            return;
        }
        if (connections.size() >= options.maxClients()) {
            rejectedConnections++;
            log.warn("max clients", "store client {} refused: max number of clients ({}) reached",
                    c.remoteAddress(), options.maxClients());
            c.reject(Replies.MAX_CLIENTS);
            return;
        }
        connections.add(c);
        connectedClients = connections.size();
    }

    /**
     * A connection gave the right password: it now counts against {@code maxClients}.
     *
     * @return whether it is admitted; false when {@code maxClients} authenticated connections exist already
     */
    boolean authenticated(ClientSession c) {
        unauthenticated.forget(c);
        if (connections.size() - unauthenticated.size() > options.maxClients()) {
            rejectedConnections++;
            log.warn("max clients", "store client {} refused after AUTH: max number of clients ({}) reached",
                    c.remoteAddress(), options.maxClients());
            return false;
        }
        c.markAuthenticated();
        return true;
    }

    /** Forgets a closed connection: its wait, watches, subscriptions, and (announcing it) its liveness and ranks. */
    void disconnected(ClientSession c) {
        unauthenticated.forget(c);
        if (!connections.remove(c)) {
            return;
        }
        connectedClients = connections.size();
        ClientSession.Block block = c.blockedOn();
        if (block != null) {
            block.cancel();
        }
        outputLimits.forget(c);
        if (!c.watchIds().isEmpty()) {
            for (Long id : c.watchIds()) {
                watches.remove(id, c);
            }
            c.watchIds().clear();
        }
        pubSub.dropAll(c);
        if (!c.isDown()) {
            down(c, "disconnect");
        }
    }

    void execute(ClientSession c, RespCommand command) {
        dispatcher.execute(c, command);
    }

    // ------------------------------------------------------------------------------------------------ keys

    /**
     * Stores {@code value} under {@code key}: into {@code entry}, the key's entry, or, when there is none, as a new
     * key, which releases its waiters and fires its watches.
     */
    void store(StoreKey key, Keyspace.Entry entry, byte[] value) {
        if (entry != null) {
            entry.value = value;
            entry.length = value.length;
        } else {
            keyCreated(keyspace.create(key, value, value.length));
        }
    }

    /** A key was just created: releases its waiters and fires its watches, after the creator's reply. */
    void keyCreated(Keyspace.Entry entry) {
        waits.created(entry.key, entry.value, entry.length);
        List<Watches.Watch> fired = watches.fire(entry.key);
        if (fired != null) {
            for (Watches.Watch watch : fired) {
                ClientSession c = watch.connection();
                c.watchIds().remove(watch.id());
                pushWatch(c, watch.id(), entry.value, entry.length);
            }
        }
    }

    /** Writes the {@code *3 $8 mf:watch :id $value} push and flushes it unless the connection is mid-batch. */
    static void pushWatch(ClientSession c, long id, byte[] value, int length) {
        ByteBuf out = c.out();
        out.writeBytes(Replies.WATCH_PUSH_HEADER);
        RespWriter.integer(out, id);
        c.bulk(value, 0, length);
        c.flushIfIdle();
    }

    // ------------------------------------------------------------------------------------------------ liveness

    /** {@code MF.HELLO}: records the identity, starts monitoring heartbeats and announces the client up. */
    void hello(ClientSession c, String name, int rank, long periodNanos) {
        c.hello(name, rank, periodNanos);
        monitored.add(c);
        if (periodNanos < livenessTickNanos) {
            scheduleLiveness(periodNanos);
        }
        publish(new StoreEvent(StoreEvent.Kind.UP, helloEventRank(c), "", name, "hello"));
    }

    /**
     * The rank an {@code MF.HELLO} identity's events carry: the rank it announced, unless another connection holds
     * that rank in the default namespace, whose events carry the same {@code ns=}: then -1, so that no client can
     * announce (or, by disconnecting, end) the liveness of a rank it does not hold.
     */
    private int helloEventRank(ClientSession c) {
        ClientSession holder = ranks.holder("", c.helloRank());
        if (holder != null && holder != c) {
            log.warn("hello rank", "store client {} ({}) announced rank {}, held by {}: its events carry rank -1",
                    c.remoteAddress(), c.name(), c.helloRank(), holder.displayName());
            return -1;
        }
        return c.helloRank();
    }

    /** @return the window after start during which reclaimed ranks go first. */
    RankReclaimWindow reclaimWindow() {
        return reclaimWindow;
    }

    /**
     * {@code MF.RANK} after argument checks: grants a rank and announces it, or answers why not; while the reclaim
     * window is open, only a {@code reclaim} is granted, other requests are answered {@code -TRYAGAIN}.
     */
    void assignRank(ClientSession c, String namespace, int worldSize, int rank, boolean reclaim) {
        boolean held = c.holdsRanks() && c.ranks().containsKey(namespace);
        if (reclaim) {
            reclaimWindow.reclaimed();
        } else if (!held && reclaimWindow.isOpen()) {
            RespWriter.error(c.out(), "TRYAGAIN MF.RANK ns=" + namespace + ": after a store start, ranks go to "
                    + "reconnecting clients first; retry in " + reclaimWindow.retryAfterMs() + " ms");
            return;
        }
        int granted = ranks.assign(c, namespace, worldSize, rank);
        switch (granted) {
            case RankTable.WORLD_SIZE_EXCEEDED -> RespWriter.error(c.out(), ErrorCode.STORE_WORLD_SIZE_EXCEEDED.name()
                    + " worldSize=" + worldSize + " ns=" + namespace + ": every rank is held by a live client");
            case RankTable.RANK_UNAVAILABLE -> RespWriter.error(c.out(), ErrorCode.STORE_RANK_UNAVAILABLE.name()
                    + " rank=" + rank + " ns=" + namespace + " is held by "
                    + ranks.holder(namespace, rank).displayName());
            case RankTable.ALREADY_RANKED -> RespWriter.error(c.out(), ErrorCode.STORE_RANK_UNAVAILABLE.name()
                    + " rank=" + rank + " ns=" + namespace + ": this connection already holds rank="
                    + c.ranks().get(namespace));
            default -> {
                RespWriter.integer(c.out(), granted);
                if (!held) {
                    publish(new StoreEvent(StoreEvent.Kind.UP, granted, namespace, c.displayName(), "rank"));
                }
            }
        }
    }

    /** Declares a connection down: frees its ranks and announces it, once. */
    private void down(ClientSession c, String reason) {
        c.markDown();
        monitored.remove(c);
        if (closing) {
            return;
        }
        // Every "up" gets its "down": one per rank held, then one for the MF.HELLO identity.
        if (c.holdsRanks()) {
            List<Map.Entry<String, Integer>> held = new ArrayList<>(c.ranks().entrySet());
            c.ranks().clear();
            for (Map.Entry<String, Integer> e : held) {
                ranks.release(c, e.getKey(), e.getValue());
                publish(new StoreEvent(StoreEvent.Kind.DOWN, e.getValue(), e.getKey(), c.displayName(), reason));
            }
        }
        if (c.name() != null) {
            publish(new StoreEvent(StoreEvent.Kind.DOWN, helloEventRank(c), "", c.name(), reason));
        }
    }

    private void publish(StoreEvent event) {
        pubSub.publish(EVENTS, event.encode().getBytes(StandardCharsets.ISO_8859_1));
    }

    private void scheduleLiveness(long tickNanos) {
        if (livenessTimer != null) {
            livenessTimer.cancel(false);
        }
        livenessTickNanos = tickNanos;
        livenessTimer = loop.scheduleAtFixedRate(this::checkLiveness, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    private void checkLiveness() {
        if (monitored.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long missed = options.missedHeartbeats();
        List<ClientSession> late = null;
        for (ClientSession c : monitored) {
            if (now - c.lastActivityNanos() > missed * c.heartbeatPeriodNanos()) {
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(c);
            }
        }
        if (late != null) {
            for (ClientSession c : late) {
                LOG.warn("store client {} ({}) sent nothing for {} ms ({} heartbeat periods of {} ms): declared down",
                        c.remoteAddress(), c.displayName(), TimeUnit.NANOSECONDS.toMillis(now - c.lastActivityNanos()),
                        missed, TimeUnit.NANOSECONDS.toMillis(c.heartbeatPeriodNanos()));
                down(c, "heartbeat");
                c.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ shutdown

    /**
     * Stops serving: releases every blocked {@code MF.WAIT} with {@code STORE_SHUTDOWN}, then closes every
     * connection after its pending output. On the event loop.
     */
    void shutdown() {
        if (closing) {
            return;
        }
        closing = true;
        if (livenessTimer != null) {
            livenessTimer.cancel(false);
        }
        if (housekeepingTimer != null) {
            housekeepingTimer.cancel(false);
        }
        for (WaitQueues.Waiter waiter : waits.drainAll()) {
            ClientSession c = waiter.connection;
            RespWriter.error(c.out(), ErrorCode.STORE_SHUTDOWN.name() + " MF.WAIT key=" + waiter.key
                    + ": the store server is stopping");
        }
        for (ClientSession c : new ArrayList<>(connections)) {
            c.closeAfterReply();
            c.flush();
        }
    }
}
