package io.memfabric.trans;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;

/**
 * The engines of one namespace, found through the config store. Keys, under {@code trans/<namespace>/}:
 * <pre>
 * session/&lt;sessionId&gt;   the engine's {@link SessionRecord}; kept after close, so that a re-opened session takes
 *                         its rank back
 * rank/&lt;rank&gt;            the session that holds the rank now; empty once it closed
 * </pre>
 * A rank is taken with {@code MF.RANK} in the namespace (the store frees it when the engine's connection ends, and
 * announces that: a peer-down event), explicitly when the session had one before, else the lowest free one. A session
 * is resolved by reading its record and checking that it still holds its rank, so a stale record of a closed session
 * never leads to whichever engine took its rank since. After a store restart (an empty store), the store client
 * takes its rank back and this directory re-publishes both keys.
 *
 * <p>Thread safety: any method from any thread; the reconnect hook and event listener run on the store client's
 * callback thread.
 */
final class StoreDirectory implements SessionDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(StoreDirectory.class);
    /** Most engines in one namespace (the copy engine's world). */
    static final int MAX_ENGINES = 1024;
    private static final byte[] VACANT = new byte[0];

    private final StoreClient keys;
    private final String namespace;
    private volatile SessionRecord self;
    private AutoCloseable reconnectHook;
    private AutoCloseable events;

    StoreDirectory(StoreClient client, String namespace) {
        this.namespace = "trans/" + namespace + "/";
        this.keys = client.withPrefix(this.namespace);
    }

    /**
     * Takes this session's rank: the one it had before if it is free, else the lowest free one.
     *
     * @return the rank
     * @throws StoreException {@code STORE_WORLD_SIZE_EXCEEDED} when the namespace has {@value #MAX_ENGINES} engines
     */
    int claimRank(String session) {
        byte[] previous = keys.get(sessionKey(session));
        int rank = -1;
        if (previous != null) {
            try {
                rank = keys.assignRank(MAX_ENGINES, SessionRecord.fromBytes(previous).rank());
            } catch (StoreException e) {
                if (e.code() != ErrorCode.STORE_RANK_UNAVAILABLE) {
                    throw e;
                }
                LOG.info("session {}: its previous rank is held by another engine; taking a new one", session);
            } catch (RuntimeException e) {
                LOG.warn("session {}: its previous record is unreadable ({}); taking a new rank", session,
                        e.toString());
            }
        }
        if (rank < 0) {
            rank = keys.assignRank(MAX_ENGINES, -1);
        }
        keys.hello(session, rank);
        return rank;
    }

    /** Publishes this engine's record and its hold on its rank, and again after every store reconnect. */
    void publish(SessionRecord record) {
        this.self = record;
        write(record);
        if (reconnectHook == null) {
            reconnectHook = keys.onReconnect(() -> {
                SessionRecord current = self;
                if (current != null) {
                    write(current);
                    LOG.info("session {}: records re-published after a store reconnect", current.session());
                }
            });
        }
    }

    private void write(SessionRecord record) {
        keys.set(sessionKey(record.session()), record.toBytes());
        keys.set(rankKey(record.rank()), record.session().getBytes(StandardCharsets.UTF_8));
    }

    /** A session resolves while it holds the rank its record names. */
    @Override
    public SessionRecord resolve(String session) {
        byte[] raw = keys.get(sessionKey(session));
        if (raw == null) {
            return null;
        }
        SessionRecord record = SessionRecord.fromBytes(raw);
        if (!record.session().equals(session)) {
            throw new ConfigurationException("the record under session " + session + " names session "
                    + record.session());
        }
        byte[] holder = keys.get(rankKey(record.rank()));
        return holder != null && session.equals(new String(holder, StandardCharsets.UTF_8)) ? record : null;
    }

    /**
     * Tells {@code listener} the rank of every engine of the namespace that the store reports down (its connection
     * ended or missed its heartbeats).
     */
    void onPeerDown(IntConsumer listener) {
        events = keys.subscribeEvents(event -> {
            if (event.kind() == StoreEvent.Kind.DOWN && namespace.equals(event.namespace()) && event.rank() >= 0) {
                vacate(event.rank(), event.name());
                listener.accept(event.rank());
            }
        });
    }

    /**
     * A dead engine no longer holds its rank: its session must not resolve (every engine that hears of the death
     * tries; the first one wins). The event names the session (the engine said hello with it), so a rank another
     * engine has taken since is left alone.
     */
    private void vacate(int rank, String session) {
        try {
            keys.compareAndSet(rankKey(rank), session.getBytes(StandardCharsets.UTF_8), VACANT);
        } catch (RuntimeException e) {
            LOG.debug("vacating rank {} of {} failed: {}", rank, session, e.toString());
        }
    }

    /** Gives up the rank's hold (the session record stays, for a re-open) and stops listening. */
    @Override
    public void close() {
        SessionRecord record = self;
        self = null;
        try {
            if (record != null) {
                keys.compareAndSet(rankKey(record.rank()), record.session().getBytes(StandardCharsets.UTF_8), VACANT);
            }
        } catch (RuntimeException e) {
            LOG.debug("giving up rank {} failed: {}", record.rank(), e.toString());
        } finally {
            io.memfabric.common.CloseHelper.closeAll(reconnectHook, events);
        }
    }

    private static String sessionKey(String session) {
        return "session/" + session;
    }

    private static String rankKey(int rank) {
        return "rank/" + rank;
    }
}
