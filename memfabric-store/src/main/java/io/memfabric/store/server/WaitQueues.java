package io.memfabric.store.server;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Blocked {@code MF.WAIT}s: one queue per key, in arrival order, released all at once when the key is created. Each
 * waiter with a deadline has one timer on the event loop ({@code EventLoop.schedule}); nothing polls.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class WaitQueues {
    /** One blocked {@code MF.WAIT}. */
    static final class Waiter implements ClientSession.Block {
        private final WaitQueues queues;
        final ClientSession connection;
        final StoreKey key;
        final long timeoutMs;
        final long startNanos;
        ScheduledFuture<?> timer;

        Waiter(WaitQueues queues, ClientSession connection, StoreKey key, long timeoutMs, long startNanos) {
            this.queues = queues;
            this.connection = connection;
            this.key = key;
            this.timeoutMs = timeoutMs;
            this.startNanos = startNanos;
        }

        @Override
        public void cancel() {
            queues.remove(this);
        }
    }

    /** What a waiter learns when it is released. */
    interface Completion {
        /** The key was created with this value. */
        void created(Waiter waiter, byte[] value, int length);

        /** The deadline passed. */
        void timedOut(Waiter waiter);
    }

    private final HashMap<StoreKey, LinkedHashSet<Waiter>> byKey = new HashMap<>();
    private final EventLoop loop;
    private final Completion completion;
    private int count;

    WaitQueues(EventLoop loop, Completion completion) {
        this.loop = loop;
        this.completion = completion;
    }

    /**
     * Queues a waiter on {@code key}.
     *
     * @param timeoutMs positive: a deadline; -1: none
     */
    Waiter add(ClientSession connection, StoreKey key, long timeoutMs) {
        Waiter waiter = new Waiter(this, connection, key, timeoutMs, System.nanoTime());
        byKey.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(waiter);
        count++;
        if (timeoutMs > 0) {
            arm(waiter, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        }
        return waiter;
    }

    private void arm(Waiter waiter, long delayNanos) {
        waiter.timer = loop.schedule(() -> expire(waiter), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expire(Waiter waiter) {
        // A timer never reports the timeout early: if it fires before the full timeout has passed on the monotonic
        // clock (timer slack, rounding), it re-arms for the rest.
        long remaining = TimeUnit.MILLISECONDS.toNanos(waiter.timeoutMs) - (System.nanoTime() - waiter.startNanos);
        if (remaining > 0) {
            arm(waiter, remaining);
            return;
        }
        if (remove(waiter)) {
            completion.timedOut(waiter);
        }
    }

    /**
     * Removes a waiter (its connection closed, or it was released) and cancels its timer.
     *
     * @return whether it was still queued
     */
    boolean remove(Waiter waiter) {
        LinkedHashSet<Waiter> queue = byKey.get(waiter.key);
        if (queue == null || !queue.remove(waiter)) {
            return false;
        }
        if (queue.isEmpty()) {
            byKey.remove(waiter.key);
        }
        count--;
        cancelTimer(waiter);
        return true;
    }

    private static void cancelTimer(Waiter waiter) {
        if (waiter.timer != null) {
            waiter.timer.cancel(false);
            waiter.timer = null;
        }
    }

    /** Releases every waiter of {@code key}, in arrival order, with the value it was created with. */
    void created(StoreKey key, byte[] value, int length) {
        if (count == 0) {
            return;
        }
        LinkedHashSet<Waiter> queue = byKey.remove(key);
        if (queue == null) {
            return;
        }
        count -= queue.size();
        for (Waiter waiter : queue) {
            cancelTimer(waiter);
            completion.created(waiter, value, length);
        }
    }

    /** Removes and returns every waiter (server shutdown), timers cancelled. */
    List<Waiter> drainAll() {
        List<Waiter> all = new ArrayList<>(count);
        for (LinkedHashSet<Waiter> queue : byKey.values()) {
            for (Waiter waiter : queue) {
                cancelTimer(waiter);
                all.add(waiter);
            }
        }
        byKey.clear();
        count = 0;
        return all;
    }

    /** @return the number of blocked waiters. */
    int size() {
        return count;
    }
}
