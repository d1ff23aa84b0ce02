package io.memfabric.store.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The time after a start during which ranks go back to the clients that held them before the store restarted. A
 * restarted store holds no ranks; its clients reconnect and reclaim theirs ({@code MF.RANK ... RECLAIM}), but a new
 * client could be faster and be given one of those ranks (the lowest free one). While the window is open, a reclaim
 * is granted at once and every other {@code MF.RANK} is answered {@code -TRYAGAIN ... retry in <ms> ms}, which the
 * Java client follows by itself within the call's deadline. The request is answered, not held: a connection that
 * waited seconds for a reply would be taken for dead by its client's heartbeat check. A window of zero is never open.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class RankReclaimWindow {
    private static final Logger LOG = LoggerFactory.getLogger(RankReclaimWindow.class);

    private final long windowNs;
    private long closesAtNs;
    private boolean open;
    private long reclaims;
    private long retriesAsked;

    RankReclaimWindow(long windowNs) {
        this.windowNs = windowNs;
    }

    /** Opens the window, unless it is zero: from now on, for its length. */
    void open() {
        if (windowNs > 0) {
            open = true;
            closesAtNs = System.nanoTime() + windowNs;
            LOG.info("store server: for {} ms, ranks go only to the clients that reclaim them",
                    TimeUnit.NANOSECONDS.toMillis(windowNs));
        }
    }

    /** @return whether ordinary rank requests are asked to retry now. */
    boolean isOpen() {
        if (open && System.nanoTime() - closesAtNs >= 0) {
            open = false;
            LOG.info("store server: rank reclaim window closed after {} reclaim(s) and {} request(s) asked to retry",
                    reclaims, retriesAsked);
        }
        return open;
    }

    /** Counts a reclaim (granted or not). */
    void reclaimed() {
        reclaims++;
    }

    /** @return how long until the window closes, milliseconds, rounded up (at least 1); counts a retry asked. */
    long retryAfterMs() {
        retriesAsked++;
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(closesAtNs - System.nanoTime() + 999_999));
    }
}
