package io.memfabric.store.client;

import io.memfabric.error.ProtocolException;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.protocol.RespMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the push connection serves: watches ({@code MF.WATCH}, one-shot) and the subscription to liveness events
 * ({@code SUBSCRIBE mf:events}), and the dispatch of their pushes to listeners on the callback thread. A watch keeps
 * the client's own id across reconnects (the server numbers watches per connection); a new push connection
 * re-registers every pending watch and re-subscribes when someone listens ({@link #addRestoreRequests}).
 *
 * <p>Thread safety: {@link #newWatch}, {@link #cancel}, {@link #watch}, {@link #subscribeEvents} and
 * {@link #unsubscribe} are safe from any thread (the watches and listeners are concurrent collections, and the server
 * side is changed on the event loop); every other method runs on the event loop.
 */
final class WatchRegistry implements ConnectionOpener.Replay {
    private static final Logger LOG = LoggerFactory.getLogger(WatchRegistry.class);
    private static final byte[] EVENTS_CHANNEL = StoreEvent.CHANNEL.getBytes(StandardCharsets.UTF_8);

    private final ClientConductor conductor;
    private final StoreUrl url;
    private final Executor callbackExecutor;
    /** Pending watches by the client's own id. */
    private final ConcurrentHashMap<Long, Watch> watches = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<EventSubscription> eventListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong nextWatchId = new AtomicLong();
    // ---- event loop state
    private final HashMap<Long, Watch> watchesByServerId = new HashMap<>();
    private Request lastSubscribe;

    WatchRegistry(ClientConductor conductor) {
        this.conductor = conductor;
        this.url = conductor.url;
        this.callbackExecutor = conductor.threads.callbackExecutor();
    }

    // =================================================================================================== any thread

    /** @return a new watch registered with the client (not yet with the server). */
    Watch newWatch(RespStoreClient owner, String key, Consumer<byte[]> listener) {
        Watch watch = new Watch(nextWatchId.incrementAndGet(), owner, key, listener);
        watches.put(watch.id, watch);
        return watch;
    }

    /** @return the pending watch with the client's id {@code id}, or null. */
    Watch watch(long id) {
        return watches.get(id);
    }

    /**
     * Cancels a watch: it will not fire.
     *
     * @return whether it was pending (false when it had fired or was cancelled already)
     */
    boolean cancel(Watch watch) {
        watches.remove(watch.id, watch);
        watch.owner.forget(watch);
        if (!watch.finish()) {
            return false;
        }
        conductor.threads.execute(() -> {
            long serverId = watch.serverId;
            if (serverId != Watch.NO_SERVER_ID) {
                watchesByServerId.remove(serverId);
                watch.serverId = Watch.NO_SERVER_ID;
                sendUnwatch(serverId);
            }
        });
        return true;
    }

    /** Registers {@code listener} for liveness events and waits until the subscription is active. */
    Registration subscribeEvents(RespStoreClient owner, Consumer<StoreEvent> listener) {
        EventSubscription subscription = new EventSubscription(owner, listener);
        eventListeners.add(subscription);
        CompletableFuture<Object> active = new CompletableFuture<>();
        boolean accepted = conductor.threads.execute(() -> {
            try {
                ensureSubscribed().whenComplete((v, e) -> {
                    if (e != null) {
                        active.completeExceptionally(e);
                    } else {
                        active.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                active.completeExceptionally(e);
            }
        });
        if (!accepted || conductor.isClosed()) {
            active.completeExceptionally(StoreErrors.closed("SUBSCRIBE " + StoreEvent.CHANNEL, url));
        }
        try {
            conductor.await(active, conductor.requestTimeoutNs);
        } catch (RuntimeException e) {
            subscription.release();
            throw e;
        }
        return subscription;
    }

    /** Removes an event subscription; the last one out unsubscribes. */
    void unsubscribe(EventSubscription subscription) {
        if (eventListeners.remove(subscription)) {
            conductor.threads.execute(this::maybeUnsubscribe);
        }
    }

    // =================================================================================================== event loop

    /** @return whether the push connection must be kept: someone listens for events or waits on a watch. */
    boolean pushNeeded() {
        if (!eventListeners.isEmpty()) {
            return true;
        }
        for (Watch watch : watches.values()) {
            if (watch.registered && !watch.isDone()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void addRestoreRequests(List<Request> requests, long timeoutNs) {
        if (!eventListeners.isEmpty()) {
            Request subscribe = Request.of(Op.SUBSCRIBE, conductor.root, StoreEvent.CHANNEL, timeoutNs);
            subscribe.restore = true;
            lastSubscribe = subscribe;
            requests.add(subscribe);
        }
        for (Watch watch : watches.values()) {
            if (watch.registered && !watch.isDone()) {
                Request rewatch = Request.of(Op.WATCH, watch.owner, watch.key, timeoutNs);
                rewatch.restore = true;
                rewatch.attachment = watch;
                requests.add(rewatch);
            }
        }
    }

    /** The push connection was lost: the server forgot its watches and subscription with it. */
    void onPushLost() {
        watchesByServerId.clear();
        for (Watch watch : watches.values()) {
            watch.serverId = Watch.NO_SERVER_ID;
        }
        if (lastSubscribe != null && lastSubscribe.isDone()) {
            lastSubscribe = null;
        }
    }

    /** Takes the server's id of a watch, or undoes a registration whose watch ended meanwhile. */
    void onWatchReply(StoreConnection connection, Request request, RespMessage reply) {
        Watch watch = (Watch) request.attachment;
        if (reply instanceof RespMessage.Integer id) {
            if (watch.isDone()) {
                // Cancelled (or its caller gave up) while the registration was on its way: undo it on the server.
                if (connection.isOpen() && conductor.push.isCurrent(connection)) {
                    sendUnwatch(id.value());
                }
                return;
            }
            watch.serverId = id.value();
            watch.registered = true;
            watchesByServerId.put(id.value(), watch);
        } else if (request.restore) {
            LOG.warn("store {}: re-registering watch of key={} after reconnect failed: {}", url, watch.key,
                    request.isCompletedExceptionally() ? request.exceptionNow().getMessage() : reply);
        } else {
            cancel(watch);
        }
    }

    /** Dispatches a push ({@code mf:watch} or an event {@code message}) to its listeners on the callback thread. */
    void onPush(RespMessage.Array push) {
        List<RespMessage> elements = push.elements();
        if (StoreConnection.isWatchPush(push)) {
            if (!(elements.get(1) instanceof RespMessage.Integer id)) {
                LOG.warn("store {}: malformed watch notification {}", url, push);
                return;
            }
            Watch watch = watchesByServerId.remove(id.value());
            if (watch == null || !watch.finish()) {
                return;
            }
            watches.remove(watch.id, watch);
            watch.owner.forget(watch);
            byte[] value = elements.get(2) instanceof RespMessage.Bulk bulk ? bulk.bytes() : null;
            callbackExecutor.execute(() -> fire(watch, value));
        } else if (StoreConnection.isMessagePush(push)) {
            if (!(elements.get(1) instanceof RespMessage.Bulk channel) || channel.isNull()
                    || !Arrays.equals(channel.bytes(), EVENTS_CHANNEL)
                    || !(elements.get(2) instanceof RespMessage.Bulk payload) || payload.isNull()) {
                return;
            }
            StoreEvent event;
            try {
                event = StoreEvent.parse(new String(payload.bytes(), StandardCharsets.UTF_8));
            } catch (ProtocolException e) {
                LOG.warn("store {}: {}", url, e.getMessage());
                return;
            }
            if (!eventListeners.isEmpty()) {
                callbackExecutor.execute(() -> dispatch(event));
            }
        }
    }

    /** Forgets every watch and listener (the client is closing). */
    void clear() {
        watches.clear();
        eventListeners.clear();
    }

    private void sendUnwatch(long serverId) {
        StoreConnection push = conductor.push.readyConnection();
        if (push != null) {
            Request unwatch = Request.withNumbers(Op.UNWATCH, conductor.root, null, serverId, 0,
                    conductor.requestTimeoutNs);
            conductor.proxy.send(push, unwatch);
        }
    }

    private Request ensureSubscribed() {
        if (lastSubscribe != null && !lastSubscribe.isCompletedExceptionally()) {
            return lastSubscribe;
        }
        Request subscribe = Request.of(Op.SUBSCRIBE, conductor.root, StoreEvent.CHANNEL, conductor.requestTimeoutNs);
        lastSubscribe = subscribe;
        conductor.submit(subscribe);
        return subscribe;
    }

    private void maybeUnsubscribe() {
        if (eventListeners.isEmpty() && lastSubscribe != null) {
            lastSubscribe = null;
            StoreConnection push = conductor.push.readyConnection();
            if (push != null) {
                conductor.proxy.send(push, Request.of(Op.UNSUBSCRIBE, conductor.root, StoreEvent.CHANNEL,
                        conductor.requestTimeoutNs));
            }
        }
    }

    private void fire(Watch watch, byte[] value) {
        try {
            watch.listener.accept(value);
        } catch (Throwable t) {
            LOG.error("store {}: watch listener of key={} threw", url, watch.key, t);
        }
    }

    private void dispatch(StoreEvent event) {
        for (EventSubscription subscription : eventListeners) {
            try {
                subscription.listener.accept(event);
            } catch (Throwable t) {
                LOG.error("store {}: event listener threw on {}", url, event.encode(), t);
            }
        }
    }

    /** A listener of liveness events; releasing it unsubscribes when it was the last one. */
    final class EventSubscription implements Registration {
        private final RespStoreClient owner;
        private final Consumer<StoreEvent> listener;

        EventSubscription(RespStoreClient owner, Consumer<StoreEvent> listener) {
            this.owner = owner;
            this.listener = listener;
        }

        @Override
        public void release() {
            owner.forget(this);
            unsubscribe(this);
        }
    }
}
