package io.memfabric.store.server;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;

/**
 * The connections that have not authenticated yet, on a server that requires {@code AUTH}: their own budget
 * ({@link ClientLimits#maxUnauthenticated()}), apart from {@code maxClients}, so that sockets that never authenticate
 * cannot lock real clients out; a new connection beyond the budget closes the oldest unauthenticated one, which is the
 * most likely to be idle (a real client authenticates within a round trip). Each is closed once it has been
 * unauthenticated for the auth timeout. Kept in admission order, so the ones past their deadline are at the head and
 * one timer serves all of them.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class UnauthenticatedClients {
    /** Kinds of the rate-limited warnings. */
    static final String TIMEOUT_LOG_KIND = "auth timeout";
    static final String EVICTED_LOG_KIND = "unauthenticated budget";

    private final int max;
    private final long timeoutNs;
    private final RateLimitedLog log;
    private final LinkedHashSet<ClientSession> waiting = new LinkedHashSet<>();
    private long timeouts;
    private long evictions;

    UnauthenticatedClients(ClientLimits limits, RateLimitedLog log) {
        this.max = limits.maxUnauthenticated();
        this.timeoutNs = limits.authTimeout().toNanos();
        this.log = log;
    }

    /** Takes a new connection in, closing the oldest unauthenticated one when the budget is full. */
    void admit(ClientSession c) {
        if (waiting.size() >= max) {
            Iterator<ClientSession> oldest = waiting.iterator();
            ClientSession evicted = oldest.next();
            oldest.remove();
            evictions++;
            log.warn(EVICTED_LOG_KIND, "store client {} closed: still unauthenticated after {} ms, and {} newer "
                    + "connections wait to authenticate (limit {})", evicted.remoteAddress(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - evicted.acceptedNanos()), max, max);
            evicted.close();
        }
        waiting.add(c);
    }

    /** Forgets a connection that authenticated or closed. */
    void forget(ClientSession c) {
        waiting.remove(c);
    }

    /** Closes the connections that have been unauthenticated for the auth timeout; by the housekeeping timer. */
    void expire() {
        if (waiting.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<ClientSession> it = waiting.iterator(); it.hasNext(); ) {
            ClientSession c = it.next();
            if (now - c.acceptedNanos() < timeoutNs) {
                return;
            }
            it.remove();
            timeouts++;
            log.warn(TIMEOUT_LOG_KIND, "store client {} did not authenticate within {} ms; closing",
                    c.remoteAddress(), TimeUnit.NANOSECONDS.toMillis(timeoutNs));
            c.close();
        }
    }

    /** @return the connections waiting to authenticate. */
    int size() {
        return waiting.size();
    }

    /** @return connections closed for not authenticating in time ({@code INFO stats}). */
    long timeouts() {
        return timeouts;
    }

    /** @return connections closed to make room for newer unauthenticated ones ({@code INFO stats}). */
    long evictions() {
        return evictions;
    }
}
