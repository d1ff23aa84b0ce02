package io.memfabric.store.client;

import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreConnection.Role;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ScheduledFuture;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * Fails requests at their deadlines with {@code MemFabricTimeoutException(STORE_TIMEOUT)}. One timer is armed for the
 * earliest deadline of all live requests, so that a call allocates no timer of its own; each sweep fails what is due
 * and re-arms for the next. A request parked while its connection is down is removed, with the reason it was not
 * sent. A request already written keeps its place in its connection's reply order (its reply, when it comes, is
 * dropped), except on a blocking connection or one still in its handshake: that connection serves only the expired
 * request, so it is closed (the server drops the waiter when the socket closes).
 *
 * <p>Thread safety: event loop only.
 */
final class DeadlineSweeper {
    /** Requests waiting for a connection, and why they are not sent yet. */
    interface Parked {
        /** @return the waiting requests, oldest first; the sweep removes the expired and the done ones. */
        Queue<Request> parked();

        /** @return why a parked request was not sent, for its timeout message. */
        String notSentReason(long nowNs);
    }

    private final ClientConductor conductor;
    private final StoreUrl url;
    private final Runnable sweepTask = this::sweep;
    private ScheduledFuture<?> sweepFuture;
    private long sweepAtNs;

    DeadlineSweeper(ClientConductor conductor) {
        this.conductor = conductor;
        this.url = conductor.url;
    }

    /** Makes sure a sweep runs by {@code deadlineNs}. */
    void schedule(long deadlineNs) {
        if (sweepFuture != null) {
            if (deadlineNs - sweepAtNs >= 0) {
                return;
            }
            sweepFuture.cancel(false);
        }
        sweepAtNs = deadlineNs;
        sweepFuture = conductor.threads.loop().schedule(sweepTask, Math.max(0, deadlineNs - System.nanoTime()),
                NANOSECONDS);
    }

    /** Cancels the timer (the client is closing). */
    void cancel() {
        if (sweepFuture != null) {
            sweepFuture.cancel(false);
        }
    }

    private void sweep() {
        sweepFuture = null;
        if (conductor.isClosed()) {
            return;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (Parked parked : List.of(conductor.main, conductor.push, conductor.blocking)) {
            next = sweepParked(parked, now, next);
        }
        List<StoreConnection> expired = null;
        for (StoreConnection connection : List.copyOf(conductor.opener.connections())) {
            // A blocking connection, or one still in its handshake, serves one purpose: when that purpose passed its
            // deadline the connection goes too. A pipelined connection keeps serving the others.
            boolean strict = connection.role == Role.BLOCKING || !connection.ready;
            for (Request request : connection.pending) {
                if (now - request.deadlineNs >= 0) {
                    boolean failed = request.completeExceptionally(StoreErrors.deadline(request, url, "no reply"));
                    if (strict) {
                        if (expired == null) {
                            expired = new ArrayList<>();
                        }
                        expired.add(connection);
                        if (failed) {
                            connection.failure = request.exceptionNow();
                        }
                        break;
                    }
                } else if (strict || !request.isDone()) {
                    next = Math.min(next, request.deadlineNs - now);
                }
            }
        }
        if (expired != null) {
            for (StoreConnection connection : expired) {
                connection.close(connection.failure);
            }
        }
        if (next != Long.MAX_VALUE) {
            schedule(now + next);
        }
    }

    private long sweepParked(Parked parked, long now, long next) {
        long earliest = next;
        for (Iterator<Request> it = parked.parked().iterator(); it.hasNext(); ) {
            Request request = it.next();
            if (request.isDone()) {
                it.remove();
            } else if (now - request.deadlineNs >= 0) {
                it.remove();
                request.completeExceptionally(StoreErrors.deadline(request, url, parked.notSentReason(now)));
            } else {
                earliest = Math.min(earliest, request.deadlineNs - now);
            }
        }
        return earliest;
    }
}
