package io.memfabric.store.server;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The time after a start during which ranks go back to the clients that held them before the store restarted. A
 * restarted store holds no ranks; its clients reconnect and reclaim theirs ({@code MF.RANK ... RECLAIM}), but a new
 * client could be faster and be given one of those ranks (the lowest free one). While the window is open, a reclaim
 * is granted at once and every other {@code MF.RANK} waits — its connection is blocked, its later commands queue —
 * until the window closes, then they are answered in arrival order. A window of zero is never open.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class RankReclaimWindow {
    private static final Logger LOG = LoggerFactory.getLogger(RankReclaimWindow.class);

    /** What a deferred request is granted with when the window closes. */
    interface Grant {
        void assign(ClientSession c, String namespace, int worldSize, int rank);
    }

    /** One {@code MF.RANK} waiting for the window to close. */
    private final class Deferred implements ClientSession.Block {
        final ClientSession connection;
        final String namespace;
        final int worldSize;
        final int rank;

        Deferred(ClientSession connection, String namespace, int worldSize, int rank) {
            this.connection = connection;
            this.namespace = namespace;
            this.worldSize = worldSize;
            this.rank = rank;
        }

        @Override
        public void cancel() {
            deferred.remove(this);
        }
    }

    private final long windowNs;
    private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();
    private boolean open;
    private long reclaims;
    private ScheduledFuture<?> timer;
    private Grant grant;

    RankReclaimWindow(long windowNs) {
        this.windowNs = windowNs;
    }

    /** Opens the window (unless it is zero); it closes by itself after its length. On the event loop. */
    void open(EventLoop loop, Grant grant) {
        this.grant = grant;
        if (windowNs > 0) {
            open = true;
            timer = loop.schedule(this::close, windowNs, TimeUnit.NANOSECONDS);
            LOG.info("store server: for {} ms, ranks go first to the clients that reclaim them",
                    TimeUnit.NANOSECONDS.toMillis(windowNs));
        }
    }

    /** @return whether ordinary rank requests wait now. */
    boolean isOpen() {
        return open;
    }

    /** Counts a reclaim (granted or not). */
    void reclaimed() {
        reclaims++;
    }

    /** Holds {@code MF.RANK} of {@code c} until the window closes. */
    void defer(ClientSession c, String namespace, int worldSize, int rank) {
        Deferred request = new Deferred(c, namespace, worldSize, rank);
        deferred.add(request);
        c.block(request);
    }

    /** @return the rank requests waiting for the window to close. */
    int waiting() {
        return deferred.size();
    }

    private void close() {
        open = false;
        LOG.info("store server: rank reclaim window closed after {} reclaim(s); answering {} waiting rank request(s)",
                reclaims, deferred.size());
        Deferred request;
        while ((request = deferred.poll()) != null) {
            ClientSession c = request.connection;
            grant.assign(c, request.namespace, request.worldSize, request.rank);
            c.unblock();
            c.flushIfIdle();
        }
    }

    /** Stops the timer and returns the requests still waiting (the server is stopping). */
    List<ClientSession> shutdown() {
        if (timer != null) {
            timer.cancel(false);
        }
        open = false;
        List<ClientSession> waiting = deferred.stream().map(d -> d.connection).toList();
        deferred.clear();
        return waiting;
    }
}
