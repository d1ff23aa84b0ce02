package io.memfabric.store.server;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;

/**
 * redis-server's {@code client-output-buffer-limit} for every connection: a client whose unsent output (built replies
 * and the socket's outbound buffer) passes the hard limit is disconnected at once; one that stays above the soft limit
 * for the soft time is disconnected when that time has passed. Each disconnection is logged, naming the client.
 *
 * <p>A client's own commands cannot grow its output far: the session runs no command while the socket is not
 * writable. What these limits catch is output the client did not ask for at that moment — pushes from pub/sub and
 * watches, released waits — and a client that stops reading with one large reply in flight.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class OutputLimits {
    /** The kind of the rate-limited warning. */
    static final String LOG_KIND = "output limit";

    private final long hardBytes;
    private final long softBytes;
    private final long softNs;
    private final RateLimitedLog log;
    /** The sessions above the soft limit, checked again by {@link #scan}. */
    private final LinkedHashSet<ClientSession> overSoft = new LinkedHashSet<>();
    private long disconnections;

    OutputLimits(ClientLimits limits, RateLimitedLog log) {
        this.hardBytes = limits.outputHardLimitBytes();
        this.softBytes = limits.outputSoftLimitBytes();
        this.softNs = limits.outputSoftTime().toNanos();
        this.log = log;
    }

    /**
     * Checks {@code c}'s unsent output after a write, and disconnects it when it is past a limit.
     *
     * @return whether the connection may go on (false: it is being closed)
     */
    boolean check(ClientSession c) {
        return check(c, System.nanoTime());
    }

    private boolean check(ClientSession c, long now) {
        long pending = c.pendingOutputBytes();
        if (hardBytes > 0 && pending > hardBytes) {
            disconnect(c, pending, "passes the hard limit of " + hardBytes + " bytes");
            return false;
        }
        if (softBytes > 0 && pending > softBytes) {
            long since = c.overSoftLimitSinceNs();
            if (since == 0) {
                c.overSoftLimitSinceNs(now | 1); // never 0 while set
                overSoft.add(c);
            } else if (now - since >= softNs) {
                disconnect(c, pending, "has been above the soft limit of " + softBytes + " bytes for "
                        + TimeUnit.NANOSECONDS.toMillis(now - since) + " ms");
                return false;
            }
        } else if (c.overSoftLimitSinceNs() != 0) {
            forget(c);
        }
        return true;
    }

    /** Checks every session above the soft limit: some drained, some stayed there too long. */
    void scan() {
        if (overSoft.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (ClientSession c : new ArrayList<>(overSoft)) {
            if (c.isActive()) {
                check(c, now);
            } else {
                forget(c);
            }
        }
    }

    /** Forgets a session (closed, or back under the soft limit). */
    void forget(ClientSession c) {
        c.overSoftLimitSinceNs(0);
        overSoft.remove(c);
    }

    /** @return the clients disconnected by these limits since the server started ({@code INFO stats}). */
    long disconnections() {
        return disconnections;
    }

    private void disconnect(ClientSession c, long pending, String why) {
        disconnections++;
        log.warn(LOG_KIND, "store client {} ({}) does not read its replies: {} bytes unsent {}; closing",
                c.remoteAddress(), c.displayName(), pending, why);
        forget(c);
        c.close();
    }
}
