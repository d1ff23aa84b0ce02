package io.memfabric.trans;

import io.memfabric.copy.CopyEngine;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The peers an engine transfers with, by session id: resolved on first use (through the store's records, or a
 * handshake with the peer's listener when there is no store), checked for visibility by role, added to the copy engine
 * under their rank, and forgotten when they go down — then every peer-down listener is told the session id.
 *
 * <p>Thread safety: any method from any thread; resolution of one session is serialised.
 */
final class TransferPeers {
    private static final Logger LOG = LoggerFactory.getLogger(TransferPeers.class);

    /** A peer in use: its session and record. */
    record Entry(String session, SessionRecord record) {
        int rank() {
            return record.rank();
        }
    }

    private final String self;
    private final Role role;
    private final CopyEngine engine;
    private final Function<String, SessionRecord> resolver;
    private final Map<String, Entry> bySession = new ConcurrentHashMap<>();
    private final Map<Integer, Entry> byRank = new ConcurrentHashMap<>();
    private final List<Consumer<String>> downListeners = new CopyOnWriteArrayList<>();
    /** The pid of the last process of each session whose going down listeners were told (told once per process). */
    private final Map<String, Long> toldDown = new ConcurrentHashMap<>();

    /**
     * @param resolver finds a session's record, or returns null when it is not open
     */
    TransferPeers(String self, Role role, CopyEngine engine, Function<String, SessionRecord> resolver) {
        this.self = self;
        this.role = role;
        this.engine = engine;
        this.resolver = resolver;
    }

    /**
     * @return the peer of {@code session}, resolved and added to the copy engine if it was not yet
     * @throws ConfigurationException {@code INVALID_PARAM} for a malformed session id, this engine's own id, or a
     *                                peer this engine's role does not see
     * @throws PeerLostException      {@code PEER_UNAVAILABLE} naming the session when it is not open
     */
    Entry get(String session, String op) {
        Entry known = bySession.get(session);
        return known != null ? known : resolve(session, op);
    }

    private synchronized Entry resolve(String session, String op) {
        Entry known = bySession.get(session);
        if (known != null) {
            return known;
        }
        String canonical = SessionId.parse(session).text();
        if (canonical.equals(self)) {
            throw new ConfigurationException(op + ": peer=" + session + " is this engine's own session (expected: "
                    + "another engine's)");
        }
        SessionRecord record = resolver.apply(canonical);
        if (record == null) {
            throw new PeerLostException(-1, op + ": peer=" + session + " is unknown: no open engine has that session "
                    + "id");
        }
        if (!role.sees(record.role())) {
            throw new ConfigurationException(op + ": peer=" + session + " is a " + record.role() + ", which a "
                    + role + " does not see (a SENDER sees RECEIVERs, a RECEIVER sees SENDERs, BOTH sees everyone)");
        }
        Entry stale = byRank.get(record.rank());
        if (stale != null) {
            forget(stale, "its rank was taken by session " + canonical);
        }
        engine.addPeer(record.rank(), record.descriptor());
        Entry entry = new Entry(canonical, record);
        bySession.put(session, entry);
        bySession.put(canonical, entry);
        byRank.put(record.rank(), entry);
        LOG.debug("{}: peer {} is rank {} ({})", self, canonical, record.rank(), engine.routeReason(record.rank()));
        return entry;
    }

    /** The store reported rank {@code rank} down: forget its engine and tell the listeners. */
    void down(int rank) {
        Entry entry = byRank.get(rank);
        if (entry != null) {
            forget(entry, "reported down");
        }
    }

    /**
     * A transfer found a peer lost for good (its process is gone): forget it, so that the next transfer resolves the
     * session anew (a re-opened session has another process).
     */
    void lost(Entry entry, PeerLostException e) {
        if (bySession.get(entry.session()) == entry) {
            forget(entry, e.getMessage());
        }
    }

    private synchronized void forget(Entry entry, String why) {
        if (!byRank.remove(entry.rank(), entry)) {
            return;
        }
        bySession.values().removeIf(e -> e == entry);
        try {
            engine.removePeer(entry.rank());
        } catch (MemFabricException e) {
            if (e.code() != ErrorCode.NOT_INITIALIZED) {
                LOG.warn("{}: removing peer {} failed: {}", self, entry.session(), e.toString());
            }
        }
        LOG.info("{}: peer {} (rank {}) is gone: {}", self, entry.session(), entry.rank(), why);
        Long pid = entry.record().descriptor().pid();
        if (pid.equals(toldDown.put(entry.session(), pid))) {
            return; // this process's going down was told already (a transfer saw it before the store did)
        }
        for (Consumer<String> listener : downListeners) {
            try {
                listener.accept(entry.session());
            } catch (RuntimeException e) {
                LOG.warn("{}: a peer-down listener failed", self, e);
            }
        }
    }

    /** @return closing it unregisters the listener */
    AutoCloseable onPeerDown(Consumer<String> listener) {
        downListeners.add(listener);
        return () -> downListeners.remove(listener);
    }
}
