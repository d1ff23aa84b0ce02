package io.memfabric.store.client;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.ProtocolException;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreConnection.Role;
import io.memfabric.store.protocol.RespLimits;
import io.memfabric.store.protocol.RespMessage;
import io.memfabric.store.protocol.RespReplyDecoder;
import io.memfabric.store.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLHandshakeException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * The state of one root client, owned by its single event loop thread (a single writer: other threads hand it
 * requests through {@link #inbound} and tasks through {@code execute}).
 *
 * <h2>Connections</h2>
 * <ul>
 *   <li><b>main</b>: every non-blocking command, pipelined. Requests from many threads are queued (MPSC), and one flush
 *       task on the event loop encodes all queued commands into one buffer and flushes once. Replies complete the
 *       oldest pending request. Carries {@code MF.HELLO}, {@code MF.RANK} and the heartbeat {@code PING}s.</li>
 *   <li><b>push</b> (opened on first use): {@code MF.WATCH}/{@code MF.UNWATCH} and {@code SUBSCRIBE}; pushes are
 *       dispatched, replies matched in order.</li>
 *   <li><b>blocking pool</b>: one {@code MF.WAIT} at a time per connection (a blocked connection serves nothing else);
 *       opened on demand up to {@link StoreClientOptions#maxBlockingConnections()}, reused, at most
 *       {@value #MAX_IDLE_BLOCKING} kept idle.</li>
 * </ul>
 *
 * <h2>Deadlines</h2>
 * Every request carries an absolute deadline. One timer (the sweep) is armed for the earliest deadline of all live
 * requests, so a call allocates no timer of its own. At its deadline a request fails with
 * {@code MemFabricTimeoutException(STORE_TIMEOUT)}. A request already written to the main or push connection keeps
 * its place in the reply order (its reply, when it comes, is dropped); if that connection then stays silent for
 * {@value #MISSED_PERIODS} heartbeat periods with a request unanswered, it is reset and reconnected. A blocking
 * connection whose wait passed its deadline is closed at once (the server drops the waiter when the socket closes).
 *
 * <h2>Reconnect</h2>
 * When the main or push connection drops, its in-flight requests fail with {@code STORE_IO_ERROR}, new requests
 * park until it is back (each within its deadline), and it reconnects with a doubling backoff. The handshake of a new
 * connection is {@code AUTH} (when configured), {@code PING}, then for main the last {@code MF.HELLO} and an explicit
 * {@code MF.RANK} for every rank held, and for push {@code SUBSCRIBE} and {@code MF.WATCH} of every pending watch.
 * After main and (when needed) push are back, the reconnect hooks run on the callback thread.
 *
 * <p>Thread safety: the public entry points ({@link #submit}, {@link #close}, registration methods) are safe from any
 * thread; everything else runs on the event loop.
 */
final class ClientConductor implements StoreConnection.Listener {
    /** Idle blocking connections kept open for the next waits; more are closed when their wait ends. */
    static final int MAX_IDLE_BLOCKING = 8;
    /** Heartbeat periods without a reply (while one is due) after which a connection is considered dead. */
    static final int MISSED_PERIODS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(ClientConductor.class);
    private static final long CONNECT_ATTEMPT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** How long a sync caller waits beyond its deadline for the event loop to fail the call (a safety net only). */
    private static final long AWAIT_SLACK_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long CLOSE_TIMEOUT_MS = 5_000;
    private static final byte[] EVENTS_CHANNEL = StoreEvent.CHANNEL.getBytes(StandardCharsets.UTF_8);
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(ClientConductor.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final StoreClientOptions options;
    final StoreUrl url;
    final long requestTimeoutNs;
    final long heartbeatNs;
    final RespStoreClient root;
    /** Runs callbacks on the callback thread; after close it runs them on the calling thread, so futures complete. */
    final Executor callbackExecutor;
    /** Pending watches by the client's own id. */
    final ConcurrentHashMap<Long, Watch> watches = new ConcurrentHashMap<>();
    final CopyOnWriteArrayList<EventSubscription> eventListeners = new CopyOnWriteArrayList<>();
    final CopyOnWriteArrayList<ReconnectHook> hooks = new CopyOnWriteArrayList<>();
    private final AtomicLong nextWatchId = new AtomicLong();

    private final SslContext ssl;
    private final RespLimits limits;
    private final byte[] secret;
    private final long backoffMinNs;
    private final long backoffMaxNs;
    private final long attemptTimeoutNs;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Class<? extends SocketChannel> channelClass;
    private final ThreadPoolExecutor callbacks;
    private volatile Thread callbackThread;
    private volatile Thread ioThread;

    private final Queue<Request> inbound = PlatformDependent.newMpscQueue();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushTask = this::flush;
    private final Runnable sweepTask = this::sweep;
    @SuppressWarnings("unused") // accessed through CLOSED
    private volatile boolean closed;

    // ---- event loop state
    private final Link main = new Link(Role.MAIN);
    private final Link push = new Link(Role.PUSH);
    private final Set<StoreConnection> connections = new HashSet<>();
    private final ArrayDeque<StoreConnection> idleBlocking = new ArrayDeque<>();
    private final ArrayDeque<Request> blockingWaiting = new ArrayDeque<>();
    private int blockingOpen;
    private int blockingConnecting;
    private long blockingBackoffNs;
    private boolean blockingRetryScheduled;
    private Throwable blockingFailure;
    private final CommandWriter mainBatch = new CommandWriter();
    private final CommandWriter pushBatch = new CommandWriter();
    private final CommandWriter direct = new CommandWriter();
    private ScheduledFuture<?> sweepFuture;
    private long sweepAtNs;
    private ScheduledFuture<?> heartbeatFuture;
    private String helloName;
    private long helloRank;
    private boolean helloSet;
    private final List<HeldRank> ranks = new ArrayList<>();
    private final HashMap<Long, Watch> watchesByServerId = new HashMap<>();
    private Request lastSubscribe;
    private boolean hooksPending;
    private final List<CompletableFuture<Void>> mainDownWaiters = new ArrayList<>();
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
    private long connectDeadlineNs;

    /** A rank this client holds, re-requested explicitly after a reconnect. */
    private record HeldRank(RespStoreClient view, long worldSize, int rank) {
    }

    private enum LinkState { IDLE, CONNECTING, READY, BACKOFF, CLOSED }

    /** The main or the push connection across reconnects. Event loop only. */
    private static final class Link {
        final Role role;
        final ArrayDeque<Request> parked = new ArrayDeque<>();
        LinkState state = LinkState.IDLE;
        StoreConnection connection;
        long backoffNs;
        int attempts;
        Throwable lastFailure;
        boolean everReady;
        long downSinceNs;
        ScheduledFuture<?> retry;

        Link(Role role) {
            this.role = role;
        }
    }

    ClientConductor(StoreClientOptions options) {
        this.options = options;
        this.url = options.url();
        this.requestTimeoutNs = options.requestTimeout().toNanos();
        this.heartbeatNs = options.heartbeatPeriod().toNanos();
        this.backoffMinNs = options.connectBackoffMin().toNanos();
        this.backoffMaxNs = options.connectBackoffMax().toNanos();
        this.attemptTimeoutNs = Math.min(CONNECT_ATTEMPT_TIMEOUT_NS, options.connectTimeout().toNanos());
        this.limits = RespLimits.forReplies(options.maxValueBytes());
        this.secret = options.authSecret().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.ssl = options.tls().map(TlsContexts::forClient).orElse(null);
        this.main.backoffNs = backoffMinNs;
        this.push.backoffNs = backoffMinNs;
        this.blockingBackoffNs = backoffMinNs;
        this.root = new RespStoreClient(this, "", true);

        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread thread = options.ioThreadFactory().newThread(r);
            ioThread = thread;
            return thread;
        }, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.callbacks = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread thread = options.callbackThreadFactory().newThread(r);
            callbackThread = thread;
            return thread;
        });
        // Started now, not on the first callback: the thread is known to close() (which must not wait for itself
        // when called from a callback), and a thread dump shows the client's whole shape from the start.
        callbacks.prestartCoreThread();
        this.callbackExecutor = task -> {
            try {
                callbacks.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
    }

    // =================================================================================================== any thread

    /**
     * Connects the main connection, retrying with backoff within the connect timeout.
     *
     * @throws StoreException {@code STORE_IO_ERROR} naming the URL when the store cannot be reached in time or the TLS
     *                        handshake fails; {@code STORE_AUTH_FAILED}/{@code STORE_AUTH_REQUIRED} for a bad secret
     */
    void connect() {
        long timeoutNs = options.connectTimeout().toNanos();
        connectDeadlineNs = System.nanoTime() + timeoutNs;
        loop.execute(() -> {
            heartbeatFuture = loop.scheduleAtFixedRate(this::heartbeat, heartbeatNs / 2, heartbeatNs / 2,
                    NANOSECONDS);
            connectLink(main);
        });
        try {
            firstConnect.get(timeoutNs + AWAIT_SLACK_NS, NANOSECONDS);
        } catch (ExecutionException e) {
            throw asRuntime(e.getCause());
        } catch (TimeoutException e) {
            throw new StoreException(ErrorCode.STORE_IO_ERROR, "connect to " + url + " did not complete within "
                    + options.connectTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(ErrorCode.ERROR, "connect to " + url + ": interrupted");
        }
    }

    /**
     * For tests: completes when the client has noticed that its main connection is lost (at once when it is not
     * connected now), so that a test can act on "the client knows the store is gone" without guessing a delay.
     */
    CompletableFuture<Void> mainDown() {
        CompletableFuture<Void> down = new CompletableFuture<>();
        boolean accepted = execute(() -> {
            if (main.state != LinkState.READY) {
                down.complete(null);
            } else {
                mainDownWaiters.add(down);
            }
        });
        if (!accepted) {
            down.complete(null);
        }
        return down;
    }

    /** @return whether {@link #close()} was called. */
    boolean isClosed() {
        return closed;
    }

    /**
     * Hands {@code request} to the event loop.
     *
     * @throws StoreException {@code STORE_CLIENT_CLOSED} after close
     */
    void submit(Request request) {
        if (closed) {
            throw StoreErrors.closed(request.describe(), url);
        }
        inbound.offer(request);
        if (!flushScheduled.get() && flushScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(flushTask);
            } catch (RejectedExecutionException e) {
                request.completeExceptionally(StoreErrors.closed(request.describe(), url));
            }
        }
        if (closed) {
            // close() may have drained the queue before this request arrived in it.
            request.completeExceptionally(StoreErrors.closed(request.describe(), url));
        }
    }

    /**
     * Waits for {@code request} (which the event loop completes by its deadline) and returns its value.
     *
     * @throws MemFabricException the request's failure, as it is
     */
    Object await(Request request) {
        return await(request, request.deadlineNs - System.nanoTime());
    }

    private Object await(CompletableFuture<Object> future, long timeoutNs) {
        try {
            return future.get(Math.max(0, timeoutNs) + AWAIT_SLACK_NS, NANOSECONDS);
        } catch (ExecutionException e) {
            throw asRuntime(e.getCause());
        } catch (TimeoutException e) {
            String what = future instanceof Request r ? r.describe() : "store call";
            MemFabricException timeout = new io.memfabric.error.MemFabricTimeoutException(ErrorCode.STORE_TIMEOUT,
                    what + " on " + url + ": no completion within " + NANOSECONDS.toMillis(timeoutNs) + " ms");
            if (future.completeExceptionally(timeout)) {
                throw timeout;
            }
            return future.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            String what = future instanceof Request r ? r.describe() : "store call";
            throw new StoreException(ErrorCode.ERROR, what + " on " + url
                    + ": interrupted while waiting for the reply");
        } catch (java.util.concurrent.CancellationException e) {
            String what = future instanceof Request r ? r.describe() : "store call";
            throw new StoreException(ErrorCode.ERROR, what + " on " + url + ": cancelled");
        }
    }

    static RuntimeException asRuntime(Throwable cause) {
        Throwable t = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new StoreException(ErrorCode.ERROR, String.valueOf(t.getMessage()), t);
    }

    /**
     * Runs {@code task} on the event loop.
     *
     * @return false when the event loop no longer accepts tasks (the client is closed)
     */
    private boolean execute(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Registers {@code listener} for liveness events and waits until the subscription is active. */
    Registration subscribeEvents(RespStoreClient owner, Consumer<StoreEvent> listener) {
        EventSubscription subscription = new EventSubscription(owner, listener);
        eventListeners.add(subscription);
        CompletableFuture<Object> active = new CompletableFuture<>();
        boolean accepted = execute(() -> {
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
        if (!accepted || closed) {
            active.completeExceptionally(StoreErrors.closed("SUBSCRIBE " + StoreEvent.CHANNEL, url));
        }
        try {
            await(active, requestTimeoutNs);
        } catch (RuntimeException e) {
            subscription.release();
            throw e;
        }
        return subscription;
    }

    /** Removes an event subscription; the last one out unsubscribes. */
    void unsubscribe(EventSubscription subscription) {
        if (eventListeners.remove(subscription)) {
            execute(this::maybeUnsubscribe);
        }
    }

    /** @return a new watch registered with the client (not yet with the server). */
    Watch newWatch(RespStoreClient owner, String key, Consumer<byte[]> listener) {
        Watch watch = new Watch(nextWatchId.incrementAndGet(), owner, key, listener);
        watches.put(watch.id, watch);
        return watch;
    }

    /**
     * Cancels a watch: it will not fire.
     *
     * @return whether it was pending (false when it had fired or was cancelled already)
     */
    boolean cancelWatch(Watch watch) {
        watches.remove(watch.id, watch);
        watch.owner.forget(watch);
        if (!watch.finish()) {
            return false;
        }
        execute(() -> {
            long serverId = watch.serverId;
            if (serverId != Watch.NO_SERVER_ID) {
                watchesByServerId.remove(serverId);
                watch.serverId = Watch.NO_SERVER_ID;
                sendUnwatch(serverId);
            }
        });
        return true;
    }

    /**
     * Closes the client: fails every pending call with {@code STORE_CLIENT_CLOSED}, closes the connections, stops the
     * event loop and the callback thread and waits for both (not for the callback thread when called on it).
     * Idempotent.
     */
    void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        execute(this::shutdownOnLoop);
        io.netty.util.concurrent.Future<?> terminated = group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (!loop.inEventLoop() && !terminated.awaitUninterruptibly(CLOSE_TIMEOUT_MS)) {
            LOG.warn("store client of {}: I/O thread did not stop within {} ms", url, CLOSE_TIMEOUT_MS);
        }
        if (terminated.isDone()) {
            // The event loop is gone; whatever arrived after its last drain fails here.
            failAll(inbound, r -> StoreErrors.closed(r.describe(), url));
        }
        callbacks.shutdown();
        join(ioThread, "I/O");
        join(callbackThread, "callback");
    }

    /** Waits for a thread of this client to exit, unless it is the calling thread. */
    private void join(Thread thread, String role) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(CLOSE_TIMEOUT_MS);
            if (thread.isAlive()) {
                LOG.warn("store client of {}: {} thread {} did not stop within {} ms", url, role, thread.getName(),
                        CLOSE_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // =================================================================================================== event loop

    private void flush() {
        flushScheduled.set(false);
        Request request;
        while ((request = inbound.poll()) != null) {
            route(request);
        }
        mainBatch.finish();
        pushBatch.finish();
    }

    private void route(Request request) {
        if (request.isDone()) {
            return;
        }
        if (closed) {
            request.completeExceptionally(StoreErrors.closed(request.describe(), url));
            return;
        }
        scheduleSweep(request.deadlineNs);
        switch (request.op.route) {
            case MAIN -> routeLink(main, mainBatch, request);
            case PUSH -> routeLink(push, pushBatch, request);
            case BLOCKING -> routeBlocking(request);
        }
    }

    private void routeLink(Link link, CommandWriter batch, Request request) {
        if (link.state == LinkState.READY) {
            StoreConnection connection = link.connection;
            if (!batch.isOpenFor(connection.channel)) {
                batch.finish();
                batch.begin(connection.channel);
            }
            request.encode(batch);
            connection.written(request, System.nanoTime());
        } else {
            link.parked.add(request);
            if (link.state == LinkState.IDLE) {
                connectLink(link);
            }
        }
    }

    /** Writes one request at once, outside the flush batches. */
    private void sendDirect(StoreConnection connection, Request request) {
        if (mainBatch.isOpenFor(connection.channel)) {
            mainBatch.finish();
        } else if (pushBatch.isOpenFor(connection.channel)) {
            pushBatch.finish();
        }
        direct.begin(connection.channel);
        request.encode(direct);
        connection.written(request, System.nanoTime());
        direct.finish();
    }

    private void sendUnwatch(long serverId) {
        if (push.state == LinkState.READY) {
            Request unwatch = Request.withNumbers(Op.UNWATCH, root, null, serverId, 0, requestTimeoutNs);
            sendDirect(push.connection, unwatch);
        }
    }

    // ---------------------------------------------------------------- links: main and push

    private void connectLink(Link link) {
        if (closed) {
            link.state = LinkState.CLOSED;
            return;
        }
        link.state = LinkState.CONNECTING;
        link.retry = null;
        link.attempts++;
        long attemptNs = attemptTimeoutNs;
        if (link == main && !link.everReady) {
            // The first connect has a total deadline: no attempt may outlive it.
            attemptNs = Math.clamp(connectDeadlineNs - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1),
                    attemptTimeoutNs);
        }
        open(link.role, attemptNs).whenComplete((connection, failure) -> onLinkOpened(link, connection, failure));
    }

    private void onLinkOpened(Link link, StoreConnection connection, Throwable failure) {
        if (closed) {
            link.state = LinkState.CLOSED;
            if (connection != null) {
                connection.close(StoreErrors.closed("connect", url));
            }
            return;
        }
        if (failure != null) {
            onLinkFailed(link, unwrap(failure));
            return;
        }
        boolean reconnect = link.everReady;
        if (reconnect || link.attempts > 1) {
            LOG.info("store {} connection to {} established after {} attempt(s)", link.role, url, link.attempts);
        }
        link.connection = connection;
        link.state = LinkState.READY;
        link.everReady = true;
        link.backoffNs = backoffMinNs;
        link.attempts = 0;
        link.lastFailure = null;
        if (!link.parked.isEmpty()) {
            direct.begin(connection.channel);
            long now = System.nanoTime();
            for (Request request : link.parked) {
                if (!request.isDone()) {
                    request.encode(direct);
                    connection.written(request, now);
                }
            }
            link.parked.clear();
            direct.finish();
        }
        if (link == main) {
            if (!reconnect) {
                firstConnect.complete(null);
            } else {
                hooksPending = true;
            }
        }
        maybeRunHooks();
    }

    private void onLinkFailed(Link link, Throwable cause) {
        link.lastFailure = cause;
        link.connection = null;
        long now = System.nanoTime();
        if (link == main && !link.everReady) {
            if (isFatal(cause)) {
                link.state = LinkState.IDLE;
                firstConnect.completeExceptionally(cause);
                return;
            }
            if (now + link.backoffNs - connectDeadlineNs >= 0) {
                link.state = LinkState.IDLE;
                firstConnect.completeExceptionally(new StoreException(ErrorCode.STORE_IO_ERROR, "connect to " + url
                        + " failed: " + link.attempts + " attempt(s) in " + options.connectTimeout().toMillis()
                        + " ms, last: " + cause.getMessage(), cause));
                return;
            }
        }
        if (isFatal(cause)) {
            LOG.error("store {} connection to {} failed: {}", link.role, url, cause.getMessage());
            failAll(link.parked, r -> notSent(r, cause));
        } else if (link.attempts == 1) {
            LOG.warn("store {} connection to {} failed: {}; retrying", link.role, url, cause.getMessage());
        } else {
            LOG.debug("store {} connection to {} failed (attempt {}): {}", link.role, url, link.attempts,
                    cause.getMessage());
        }
        if (link == push && link.parked.isEmpty() && !pushNeeded()) {
            link.state = LinkState.IDLE;
            return;
        }
        link.state = LinkState.BACKOFF;
        long delayNs = link.backoffNs;
        link.backoffNs = Math.min(link.backoffNs * 2, backoffMaxNs);
        link.retry = loop.schedule(() -> connectLink(link), delayNs, NANOSECONDS);
    }

    private StoreException notSent(Request request, Throwable cause) {
        ErrorCode code = cause instanceof MemFabricException m ? m.code() : ErrorCode.STORE_IO_ERROR;
        return new StoreException(code, request.describe() + " on " + url + ": not sent, " + cause.getMessage(),
                cause);
    }

    /**
     * Whether retrying cannot help: a wrong or missing secret, a TLS handshake refused (untrusted certificate, no or
     * revoked client certificate), or a peer that does not speak RESP. A first connect fails at once on these; a
     * reconnect keeps trying (the store may come back configured differently) but fails waiting calls at once.
     */
    private static boolean isFatal(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return true;
            }
            if (t instanceof MemFabricException m) {
                ErrorCode code = m.code();
                if (code == ErrorCode.STORE_AUTH_FAILED || code == ErrorCode.STORE_AUTH_REQUIRED
                        || code == ErrorCode.PROTOCOL_ERROR || code == ErrorCode.STORE_CLIENT_CLOSED) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the push connection must be re-established: someone listens for events or waits on a watch. */
    private boolean pushNeeded() {
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

    private void maybeRunHooks() {
        if (!hooksPending || main.state != LinkState.READY) {
            return;
        }
        if (pushNeeded() && push.state != LinkState.READY) {
            if (push.state == LinkState.IDLE) {
                connectLink(push);
            }
            return;
        }
        hooksPending = false;
        if (!hooks.isEmpty()) {
            callbackExecutor.execute(this::runHooks);
        }
    }

    private void runHooks() {
        for (ReconnectHook hook : hooks) {
            try {
                hook.runnable.run();
            } catch (Throwable t) {
                LOG.error("store client of {}: reconnect hook {} threw", url, hook.runnable, t);
            }
        }
    }

    // ---------------------------------------------------------------- opening a connection

    /**
     * Opens a connection and runs its handshake, both within {@code attemptNs}.
     *
     * @return completes (on the event loop) with the ready connection, or with a typed failure
     */
    private CompletableFuture<StoreConnection> open(Role role, long attemptNs) {
        CompletableFuture<StoreConnection> promise = new CompletableFuture<>();
        StoreConnection connection = new StoreConnection(role, this);
        long deadlineNs = System.nanoTime() + attemptNs;
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, NANOSECONDS.toMillis(attemptNs)))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline pipeline = ch.pipeline();
                        if (ssl != null) {
                            pipeline.addLast("tls", ssl.newHandler(ch.alloc(), url.host(), url.port()));
                        }
                        pipeline.addLast("read-stamp", connection.readStamp);
                        pipeline.addLast("decoder", new RespReplyDecoder(limits));
                        pipeline.addLast("store", connection);
                    }
                });
        ChannelFuture connected;
        try {
            connected = bootstrap.connect(url.socketAddress());
        } catch (RuntimeException e) {
            promise.completeExceptionally(connectFailure(e));
            return promise;
        }
        connection.channel = connected.channel();
        connections.add(connection);
        connected.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                connections.remove(connection);
                promise.completeExceptionally(connectFailure(f.cause()));
                return;
            }
            SslHandler tls = f.channel().pipeline().get(SslHandler.class);
            if (tls == null) {
                handshake(connection, promise, deadlineNs);
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    handshake(connection, promise, deadlineNs);
                } else {
                    StoreException e = new StoreException(ErrorCode.STORE_IO_ERROR, "TLS handshake with " + url
                            + " failed: " + h.cause().getMessage(), h.cause());
                    connection.close(e);
                    promise.completeExceptionally(e);
                }
            });
        });
        return promise;
    }

    private StoreException connectFailure(Throwable cause) {
        return new StoreException(ErrorCode.STORE_IO_ERROR, "connect to " + url + ": " + cause.getMessage(), cause);
    }

    private void handshake(StoreConnection connection, CompletableFuture<StoreConnection> promise, long deadlineNs) {
        if (closed) {
            StoreException e = StoreErrors.closed("connect", url);
            connection.close(e);
            promise.completeExceptionally(e);
            return;
        }
        long now = System.nanoTime();
        long timeoutNs = Math.max(deadlineNs - now, TimeUnit.MILLISECONDS.toNanos(1));
        List<Request> requests = new ArrayList<>(4);
        Request auth = null;
        if (secret != null) {
            auth = new Request(Op.AUTH, root, null, null, secret, null, 0, 0, timeoutNs, now);
            requests.add(auth);
        }
        Request ping = Request.of(Op.PING, root, null, timeoutNs);
        requests.add(ping);
        if (connection.role == Role.MAIN) {
            if (helloSet) {
                Request hello = Request.withNumbers(Op.HELLO, root, helloName, helloRank,
                        NANOSECONDS.toMillis(heartbeatNs), timeoutNs);
                hello.restore = true;
                requests.add(hello);
            }
            for (HeldRank held : ranks) {
                Request rank = Request.withNumbers(Op.RANK, held.view(), null, held.worldSize(), held.rank(),
                        timeoutNs);
                rank.restore = true;
                rank.attachment = held;
                requests.add(rank);
            }
        } else if (connection.role == Role.PUSH) {
            if (!eventListeners.isEmpty()) {
                Request subscribe = Request.of(Op.SUBSCRIBE, root, StoreEvent.CHANNEL, timeoutNs);
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
        direct.begin(connection.channel);
        for (Request request : requests) {
            request.encode(direct);
            connection.written(request, now);
        }
        direct.finish();
        scheduleSweep(deadlineNs);
        Request authRequest = auth;
        requests.getLast().whenComplete((v, e) -> handshakeDone(connection, promise, authRequest, ping));
    }

    private void handshakeDone(StoreConnection connection, CompletableFuture<StoreConnection> promise, Request auth,
                               Request ping) {
        if (promise.isDone()) {
            return;
        }
        if (closed) {
            StoreException e = StoreErrors.closed("connect", url);
            connection.close(e);
            promise.completeExceptionally(e);
            return;
        }
        if (!connection.isOpen()) {
            Throwable why = connection.failure;
            promise.completeExceptionally(new StoreException(ErrorCode.STORE_IO_ERROR, "connection to " + url
                    + " closed during the handshake" + (why == null ? "" : ": " + why.getMessage()), why));
            return;
        }
        Throwable failed = auth != null && auth.isCompletedExceptionally() ? auth.exceptionNow()
                : ping.isCompletedExceptionally() ? ping.exceptionNow() : null;
        if (failed != null) {
            connection.close(failed);
            promise.completeExceptionally(failed);
            return;
        }
        connection.ready = true;
        promise.complete(connection);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    // ---------------------------------------------------------------- blocking pool

    private void routeBlocking(Request request) {
        StoreConnection connection;
        while ((connection = idleBlocking.pollFirst()) != null) {
            if (connection.isOpen()) {
                sendDirect(connection, request);
                return;
            }
        }
        blockingWaiting.add(request);
        maybeOpenBlocking();
    }

    private void maybeOpenBlocking() {
        if (closed || blockingRetryScheduled) {
            return;
        }
        blockingWaiting.removeIf(CompletableFuture::isDone);
        while (blockingConnecting < blockingWaiting.size() && blockingOpen < options.maxBlockingConnections()) {
            blockingOpen++;
            blockingConnecting++;
            open(Role.BLOCKING, attemptTimeoutNs).whenComplete(this::onBlockingOpened);
        }
    }

    private void onBlockingOpened(StoreConnection connection, Throwable failure) {
        blockingConnecting--;
        if (closed) {
            if (connection != null) {
                connection.close(StoreErrors.closed("connect", url));
            }
            return;
        }
        if (failure != null) {
            blockingOpen--;
            Throwable cause = unwrap(failure);
            blockingFailure = cause;
            if (isFatal(cause)) {
                failAll(blockingWaiting, r -> notSent(r, cause));
            }
            if (!blockingWaiting.isEmpty() && !blockingRetryScheduled) {
                blockingRetryScheduled = true;
                long delayNs = blockingBackoffNs;
                blockingBackoffNs = Math.min(blockingBackoffNs * 2, backoffMaxNs);
                loop.schedule(() -> {
                    blockingRetryScheduled = false;
                    maybeOpenBlocking();
                }, delayNs, NANOSECONDS);
            }
            return;
        }
        blockingBackoffNs = backoffMinNs;
        blockingFailure = null;
        assignBlocking(connection);
    }

    /** Gives a free blocking connection the next waiting request, or keeps it idle. */
    private void assignBlocking(StoreConnection connection) {
        Request request;
        while ((request = blockingWaiting.pollFirst()) != null) {
            if (!request.isDone()) {
                sendDirect(connection, request);
                return;
            }
        }
        if (idleBlocking.size() >= MAX_IDLE_BLOCKING) {
            connection.close(null);
        } else {
            idleBlocking.addFirst(connection);
        }
    }

    // ---------------------------------------------------------------- connection events

    @Override
    public void onReply(StoreConnection connection, Request request, RespMessage reply) {
        request.onReply(reply, url);
        switch (request.op) {
            case HELLO -> onHelloReply(request);
            case RANK -> onRankReply(request);
            case WATCH -> onWatchReply(connection, request, reply);
            default -> {
            }
        }
        if (connection.role == Role.BLOCKING && request.op == Op.WAIT && connection.ready
                && connection.pending.isEmpty()) {
            assignBlocking(connection);
        }
    }

    private void onHelloReply(Request request) {
        if (!request.isCompletedExceptionally()) {
            helloName = request.key;
            helloRank = request.arg1;
            helloSet = true;
        } else if (request.restore) {
            LOG.warn("store {}: re-announcing {} after reconnect failed: {}", url, request.describe(),
                    request.exceptionNow().getMessage());
        }
    }

    private void onRankReply(Request request) {
        if (request.restore) {
            if (request.isCompletedExceptionally()) {
                LOG.error("store {}: rank {} (ns '{}') could not be taken back after reconnect: {}", url,
                        request.arg2, request.view.prefix(), request.exceptionNow().getMessage());
                ranks.remove((HeldRank) request.attachment);
            }
            return;
        }
        if (!request.isCompletedExceptionally()) {
            int granted = (int) request.longResult;
            ranks.removeIf(h -> h.view().prefix().equals(request.view.prefix()) && h.rank() == granted);
            ranks.add(new HeldRank(request.view, request.arg1, granted));
        }
    }

    private void onWatchReply(StoreConnection connection, Request request, RespMessage reply) {
        Watch watch = (Watch) request.attachment;
        if (reply instanceof RespMessage.Integer id) {
            if (watch.isDone()) {
                // Cancelled (or its caller gave up) while the registration was on its way: undo it on the server.
                if (connection.isOpen() && connection == push.connection) {
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
            cancelWatch(watch);
        }
    }

    @Override
    public void onPush(StoreConnection connection, RespMessage.Array push) {
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

    @Override
    public void onClosed(StoreConnection connection) {
        connections.remove(connection);
        Throwable cause = connection.failure;
        for (Request request : connection.pending) {
            if (!request.isDone()) {
                request.completeExceptionally(closed ? StoreErrors.closed(request.describe(), url)
                        : StoreErrors.connectionLost(request, url, cause));
            }
        }
        connection.pending.clear();
        if (!connection.ready) {
            return; // its handshake fails, and whoever opened it decides
        }
        if (connection.role == Role.BLOCKING) {
            blockingOpen--;
            idleBlocking.remove(connection);
            maybeOpenBlocking();
            return;
        }
        Link link = connection.role == Role.MAIN ? main : push;
        if (link.connection != connection) {
            return;
        }
        link.connection = null;
        if (closed) {
            link.state = LinkState.CLOSED;
            return;
        }
        link.state = LinkState.IDLE;
        link.downSinceNs = System.nanoTime();
        if (link == push) {
            watchesByServerId.clear();
            for (Watch watch : watches.values()) {
                watch.serverId = Watch.NO_SERVER_ID;
            }
            if (lastSubscribe != null && lastSubscribe.isDone()) {
                lastSubscribe = null;
            }
        }
        LOG.warn("store {} connection to {} lost{}; reconnecting", link.role, url,
                cause == null ? "" : " (" + cause.getMessage() + ")");
        if (link == main && !mainDownWaiters.isEmpty()) {
            mainDownWaiters.forEach(waiter -> waiter.complete(null));
            mainDownWaiters.clear();
        }
        if (link == main || !link.parked.isEmpty() || pushNeeded()) {
            connectLink(link);
        }
    }

    // ---------------------------------------------------------------- events subscription

    private Request ensureSubscribed() {
        if (lastSubscribe != null && !lastSubscribe.isCompletedExceptionally()) {
            return lastSubscribe;
        }
        Request subscribe = Request.of(Op.SUBSCRIBE, root, StoreEvent.CHANNEL, requestTimeoutNs);
        lastSubscribe = subscribe;
        submit(subscribe);
        return subscribe;
    }

    private void maybeUnsubscribe() {
        if (eventListeners.isEmpty() && lastSubscribe != null) {
            lastSubscribe = null;
            if (push.state == LinkState.READY) {
                sendDirect(push.connection, Request.of(Op.UNSUBSCRIBE, root, StoreEvent.CHANNEL, requestTimeoutNs));
            }
        }
    }

    // ---------------------------------------------------------------- deadlines and heartbeats

    private void scheduleSweep(long deadlineNs) {
        if (sweepFuture != null) {
            if (deadlineNs - sweepAtNs >= 0) {
                return;
            }
            sweepFuture.cancel(false);
        }
        sweepAtNs = deadlineNs;
        sweepFuture = loop.schedule(sweepTask, Math.max(0, deadlineNs - System.nanoTime()), NANOSECONDS);
    }

    private void sweep() {
        sweepFuture = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        next = sweepParked(main.parked, now, next, main);
        next = sweepParked(push.parked, now, next, push);
        next = sweepParked(blockingWaiting, now, next, null);
        List<StoreConnection> expired = null;
        for (StoreConnection connection : List.copyOf(connections)) {
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
            scheduleSweep(now + next);
        }
    }

    private long sweepParked(ArrayDeque<Request> parked, long now, long next, Link link) {
        long earliest = next;
        for (Iterator<Request> it = parked.iterator(); it.hasNext(); ) {
            Request request = it.next();
            if (request.isDone()) {
                it.remove();
            } else if (now - request.deadlineNs >= 0) {
                it.remove();
                request.completeExceptionally(StoreErrors.deadline(request, url, notSentReason(link, now)));
            } else {
                earliest = Math.min(earliest, request.deadlineNs - now);
            }
        }
        return earliest;
    }

    private String notSentReason(Link link, long now) {
        if (link == null) {
            return "not sent: no free blocking connection (" + blockingOpen + " of "
                    + options.maxBlockingConnections() + " open" + (blockingFailure == null ? ""
                    : "; last connect failure: " + blockingFailure.getMessage()) + ")";
        }
        return "not sent: " + link.role + " connection down" + (link.downSinceNs == 0 ? ""
                : " for " + NANOSECONDS.toMillis(now - link.downSinceNs) + " ms") + ", attempt " + link.attempts
                + (link.lastFailure == null ? "" : ", last failure: " + link.lastFailure.getMessage());
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        heartbeat(main, now);
        heartbeat(push, now);
    }

    private void heartbeat(Link link, long now) {
        if (link.state != LinkState.READY) {
            return;
        }
        StoreConnection connection = link.connection;
        long silenceNs = MISSED_PERIODS * heartbeatNs;
        Request oldest = connection.pending.peek();
        if (oldest != null && now - oldest.writtenAtNs > silenceNs && now - connection.lastReadNs > silenceNs) {
            StoreException e = new StoreException(ErrorCode.STORE_IO_ERROR, "no reply from " + url + " for "
                    + NANOSECONDS.toMillis(now - oldest.writtenAtNs) + " ms on the " + link.role
                    + " connection (oldest: " + oldest.describe() + "): connection reset");
            LOG.warn(e.getMessage());
            connection.close(e);
            return;
        }
        if (now - connection.lastWriteNs >= heartbeatNs / 2) {
            sendDirect(connection, Request.of(Op.PING, root, null, silenceNs));
        }
    }

    // ---------------------------------------------------------------- close

    private void shutdownOnLoop() {
        if (sweepFuture != null) {
            sweepFuture.cancel(false);
        }
        if (heartbeatFuture != null) {
            heartbeatFuture.cancel(false);
        }
        for (Link link : List.of(main, push)) {
            if (link.retry != null) {
                link.retry.cancel(false);
            }
            link.state = LinkState.CLOSED;
            failAll(link.parked, r -> StoreErrors.closed(r.describe(), url));
        }
        failAll(inbound, r -> StoreErrors.closed(r.describe(), url));
        failAll(blockingWaiting, r -> StoreErrors.closed(r.describe(), url));
        firstConnect.completeExceptionally(StoreErrors.closed("connect", url));
        for (StoreConnection connection : List.copyOf(connections)) {
            for (Request request : connection.pending) {
                request.completeExceptionally(StoreErrors.closed(request.describe(), url));
            }
            connection.close(StoreErrors.closed("close", url));
        }
        watches.clear();
        eventListeners.clear();
        hooks.clear();
    }

    private static void failAll(Queue<Request> requests, java.util.function.Function<Request, Exception> failure) {
        Request request;
        while ((request = requests.poll()) != null) {
            if (!request.isDone()) {
                request.completeExceptionally(failure.apply(request));
            }
        }
    }

    // ---------------------------------------------------------------- registrations

    /** A listener of liveness events. */
    static final class EventSubscription implements Registration {
        final RespStoreClient owner;
        final Consumer<StoreEvent> listener;

        EventSubscription(RespStoreClient owner, Consumer<StoreEvent> listener) {
            this.owner = owner;
            this.listener = listener;
        }

        @Override
        public void release() {
            owner.forget(this);
            owner.core.unsubscribe(this);
        }
    }

    /** A reconnect hook. */
    static final class ReconnectHook implements Registration {
        final RespStoreClient owner;
        final Runnable runnable;

        ReconnectHook(RespStoreClient owner, Runnable runnable) {
            this.owner = owner;
            this.runnable = runnable;
        }

        @Override
        public void release() {
            owner.forget(this);
            owner.core.hooks.remove(this);
        }
    }
}
