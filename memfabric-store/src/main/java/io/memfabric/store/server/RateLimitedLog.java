package io.memfabric.store.server;

import org.slf4j.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The server's warnings about clients, rate-limited per kind (malformed frame, TLS failure, refused connection, ...):
 * at most {@link #LINES_PER_INTERVAL} lines of one kind per {@link #INTERVAL_NS}, then one summary line
 * {@code "... suppressed K more '<kind>' warnings in the last 10 s"}. A hostile client can make a warning per frame
 * (5,466 lines for as many malformed frames); the first lines name it, the summary tells how many followed.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class RateLimitedLog {
    /** Lines of one kind logged per interval before the rest are counted instead. */
    static final int LINES_PER_INTERVAL = 5;
    /** The interval, nanoseconds (10 s). */
    static final long INTERVAL_NS = 10_000_000_000L;

    /** One kind's interval: when it began, lines logged, lines suppressed. */
    private static final class Window {
        long startNs;
        int logged;
        long suppressed;
    }

    private final Logger log;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new HashMap<>();

    RateLimitedLog(Logger log) {
        this(log, System::nanoTime);
    }

    /** @param nanoClock the monotonic clock, nanoseconds (tests pass their own) */
    RateLimitedLog(Logger log, LongSupplier nanoClock) {
        this.log = log;
        this.nanoClock = nanoClock;
    }

    /**
     * Logs a warning of {@code kind}, unless that kind's quota for the current interval is used up.
     *
     * @param kind   a short constant naming the kind of event ({@code "malformed frame"})
     * @param format an SLF4J format
     * @param args   its arguments
     */
    void warn(String kind, String format, Object... args) {
        long now = nanoClock.getAsLong();
        Window window = windows.computeIfAbsent(kind, k -> new Window());
        if (window.logged > 0 && now - window.startNs >= INTERVAL_NS) {
            summarize(kind, window);
        }
        if (window.logged == 0) {
            window.startNs = now;
        }
        if (window.logged < LINES_PER_INTERVAL) {
            window.logged++;
            log.warn(format, args);
        } else {
            window.suppressed++;
        }
    }

    /** Writes the summary of every kind whose interval has ended; called by the server's housekeeping timer. */
    void tick() {
        if (windows.isEmpty()) {
            return;
        }
        long now = nanoClock.getAsLong();
        windows.entrySet().removeIf(e -> {
            if (now - e.getValue().startNs < INTERVAL_NS) {
                return false;
            }
            summarize(e.getKey(), e.getValue());
            return true;
        });
    }

    private void summarize(String kind, Window window) {
        if (window.suppressed > 0) {
            log.warn("store: suppressed {} more '{}' warnings in the last {} s", window.suppressed, kind,
                    INTERVAL_NS / 1_000_000_000L);
        }
        window.logged = 0;
        window.suppressed = 0;
    }

    /** @return the warnings of {@code kind} suppressed in its current interval (tests). */
    long suppressed(String kind) {
        Window window = windows.get(kind);
        return window == null ? 0 : window.suppressed;
    }
}
