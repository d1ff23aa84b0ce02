package io.memfabric.store.client;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreConnection.Role;
import io.netty.util.internal.PlatformDependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * The conductor of one root client (Aeron's {@code ClientConductor} model): it takes requests from the callers'
 * threads, routes them to the part that sends them, and runs the client's life (first connect, heartbeats, reconnect
 * hooks, close). It owns the parts and their single thread, the event loop:
 * <ul>
 *   <li>{@link StoreProxy} writes requests, batched per flush; {@link ReplyAdapter} hands what arrives to the
 *       parts;</li>
 *   <li>two {@link ReconnectingLink}s: <b>main</b> (every non-blocking command, pipelined, plus {@code MF.HELLO},
 *       {@code MF.RANK} and the heartbeat {@code PING}s) and <b>push</b> (opened on first use: watches and the
 *       event subscription, whose pushes interleave with replies);</li>
 *   <li>{@link BlockingPool}: a connection per {@code MF.WAIT} at a time;</li>
 *   <li>{@link ConnectionOpener}: TCP, TLS and the handshake that restores {@link ClientIdentity} (main) and
 *       {@link WatchRegistry} (push) after a reconnect;</li>
 *   <li>{@link DeadlineSweeper}: one timer for every request's deadline;</li>
 *   <li>{@link ReconnectHooks}, run on the callback thread of {@link ClientThreads} once main and (when needed) push
 *       are back.</li>
 * </ul>
 * Requests from many threads are queued (MPSC) and one flush task on the event loop routes all of them, so that the
 * commands of one flush go out in one buffer and one write per connection.
 *
 * <p>Thread safety: {@link #submit}, {@link #await}, {@link #connect}, {@link #mainDown}, {@link #close} and
 * {@link #isClosed} are safe from any thread, as are the registration methods of {@link #watches} and
 * {@link #hooks}; everything else runs on the event loop, which is the single writer of all the parts' state.
 */
final class ClientConductor implements ReconnectingLink.Listener {
    /** How long a sync caller waits beyond its deadline for the event loop to fail the call (a safety net only). */
    private static final long AWAIT_SLACK_NS = TimeUnit.SECONDS.toNanos(5);

    final StoreClientOptions options;
    final StoreUrl url;
    final long requestTimeoutNs;
    final long heartbeatNs;
    final ClientThreads threads;
    final RespStoreClient root;
    final StoreProxy proxy = new StoreProxy();
    final DeadlineSweeper sweeper;
    final ClientIdentity identity;
    final WatchRegistry watches;
    final ReconnectHooks hooks;
    final ConnectionOpener opener;
    final ReconnectingLink main;
    final ReconnectingLink push;
    final BlockingPool blocking;

    private final CloseOnce closed = new CloseOnce();
    private final Queue<Request> inbound = PlatformDependent.newMpscQueue();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushTask = this::flush;
    // ---- event loop state
    private ScheduledFuture<?> heartbeatFuture;
    private boolean hooksPending;
    private final List<CompletableFuture<Void>> mainDownWaiters = new ArrayList<>();

    ClientConductor(StoreClientOptions options) {
        this.options = options;
        this.url = options.url();
        this.requestTimeoutNs = options.requestTimeout().toNanos();
        this.heartbeatNs = options.heartbeatPeriod().toNanos();
        this.threads = new ClientThreads(options);
        this.root = new RespStoreClient(this, "", true);
        this.sweeper = new DeadlineSweeper(this);
        this.identity = new ClientIdentity(url, root, heartbeatNs);
        this.watches = new WatchRegistry(this);
        this.hooks = new ReconnectHooks(url);
        this.opener = new ConnectionOpener(this, new ReplyAdapter(this), identity, watches);
        this.main = new ReconnectingLink(Role.MAIN, this, this);
        this.push = new ReconnectingLink(Role.PUSH, this, this);
        this.blocking = new BlockingPool(this);
    }

    // =================================================================================================== any thread

    /**
     * Connects the main connection, retrying with backoff within the connect timeout, and starts the heartbeats.
     *
     * @throws StoreException {@code STORE_IO_ERROR} naming the URL when the store cannot be reached in time or the TLS
     *                        handshake fails; {@code STORE_AUTH_FAILED}/{@code STORE_AUTH_REQUIRED} for a bad secret
     */
    void connect() {
        long timeoutNs = options.connectTimeout().toNanos();
        long deadlineNs = System.nanoTime() + timeoutNs;
        CompletableFuture<Void> connected = new CompletableFuture<>();
        boolean accepted = threads.execute(() -> {
            heartbeatFuture = threads.loop().scheduleAtFixedRate(this::heartbeat, heartbeatNs / 2, heartbeatNs / 2,
                    NANOSECONDS);
            main.connectFirst(deadlineNs).whenComplete((v, e) -> {
                if (e != null) {
                    connected.completeExceptionally(e);
                } else {
                    connected.complete(null);
                }
            });
        });
        if (!accepted) {
            connected.completeExceptionally(StoreErrors.closed("connect", url));
        }
        try {
            connected.get(timeoutNs + AWAIT_SLACK_NS, NANOSECONDS);
        } catch (ExecutionException e) {
            throw StoreErrors.asRuntime(e.getCause());
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
        boolean accepted = threads.execute(() -> {
            if (!main.isReady()) {
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
        return closed.isClosed();
    }

    /**
     * Hands {@code request} to the event loop.
     *
     * @throws StoreException {@code STORE_CLIENT_CLOSED} after close
     */
    void submit(Request request) {
        if (closed.isClosed()) {
            throw StoreErrors.closed(request.describe(), url);
        }
        inbound.offer(request);
        if (!flushScheduled.get() && flushScheduled.compareAndSet(false, true)) {
            try {
                threads.loop().execute(flushTask);
            } catch (RejectedExecutionException e) {
                request.completeExceptionally(StoreErrors.closed(request.describe(), url));
            }
        }
        if (closed.isClosed()) {
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

    /**
     * Waits for {@code future}, which the event loop completes within {@code timeoutNs}; a safety net fails it a little
     * later should the event loop not.
     *
     * @throws MemFabricException the failure, as it is
     */
    Object await(CompletableFuture<Object> future, long timeoutNs) {
        try {
            return future.get(Math.max(0, timeoutNs) + AWAIT_SLACK_NS, NANOSECONDS);
        } catch (ExecutionException e) {
            throw StoreErrors.asRuntime(e.getCause());
        } catch (TimeoutException e) {
            MemFabricException timeout = new MemFabricTimeoutException(ErrorCode.STORE_TIMEOUT,
                    describe(future) + " on " + url + ": no completion within " + NANOSECONDS.toMillis(timeoutNs)
                            + " ms");
            if (future.completeExceptionally(timeout)) {
                throw timeout;
            }
            return future.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new StoreException(ErrorCode.ERROR, describe(future) + " on " + url
                    + ": interrupted while waiting for the reply");
        } catch (CancellationException e) {
            throw new StoreException(ErrorCode.ERROR, describe(future) + " on " + url + ": cancelled");
        }
    }

    private static String describe(CompletableFuture<Object> future) {
        return future instanceof Request r ? r.describe() : "store call";
    }

    /**
     * Closes the client: fails every pending call with {@code STORE_CLIENT_CLOSED}, closes the connections, stops the
     * event loop and the callback thread and waits for both (not for the callback thread when called on it).
     * Idempotent.
     */
    void close() {
        if (!closed.begin()) {
            return;
        }
        threads.execute(this::shutdownOnLoop);
        if (threads.stopEventLoop()) {
            // The event loop is gone; whatever arrived after its last drain fails here.
            Request.failAll(inbound, r -> StoreErrors.closed(r.describe(), url));
        }
        threads.stop();
    }

    // =================================================================================================== event loop

    private void flush() {
        flushScheduled.set(false);
        Request request;
        while ((request = inbound.poll()) != null) {
            route(request);
        }
        proxy.flush();
    }

    private void route(Request request) {
        if (request.isDone()) {
            return;
        }
        if (closed.isClosed()) {
            request.completeExceptionally(StoreErrors.closed(request.describe(), url));
            return;
        }
        sweeper.schedule(request.deadlineNs);
        switch (request.op.route) {
            case MAIN -> main.route(request);
            case PUSH -> push.route(request);
            case BLOCKING -> blocking.route(request);
        }
    }

    /**
     * Sends {@code request} again after {@code delayNs}, as the server asked ({@code TRYAGAIN}); or, when that would
     * pass its deadline, fails it with {@code STORE_RANK_UNAVAILABLE} naming the server's answer.
     */
    void retryLater(Request request, String answer, long delayNs) {
        if (request.deadlineNs - (System.nanoTime() + delayNs) <= 0) {
            request.completeExceptionally(new StoreException(ErrorCode.STORE_RANK_UNAVAILABLE, request.describe()
                    + " on " + url + ": " + answer + " (beyond the call's deadline)"));
            identity.onRankReply(request);
            return;
        }
        try {
            threads.loop().schedule(() -> {
                route(request);
                proxy.flush();
            }, delayNs, NANOSECONDS);
        } catch (RejectedExecutionException e) {
            request.completeExceptionally(StoreErrors.closed(request.describe(), url));
        }
    }

    private void heartbeat() {
        if (closed.isClosed()) {
            return;
        }
        long now = System.nanoTime();
        main.heartbeat(now, heartbeatNs);
        push.heartbeat(now, heartbeatNs);
    }

    @Override
    public void onReady(ReconnectingLink link, boolean reconnect) {
        if (link == main && reconnect) {
            hooksPending = true;
        }
        maybeRunHooks();
    }

    @Override
    public void onLost(ReconnectingLink link) {
        if (link == push) {
            watches.onPushLost();
        } else if (!mainDownWaiters.isEmpty()) {
            mainDownWaiters.forEach(waiter -> waiter.complete(null));
            mainDownWaiters.clear();
        }
    }

    @Override
    public boolean isNeeded(ReconnectingLink link) {
        return link == main || watches.pushNeeded();
    }

    /** Runs the reconnect hooks once main is back, and push too when something needs it. */
    private void maybeRunHooks() {
        if (!hooksPending || !main.isReady()) {
            return;
        }
        if (watches.pushNeeded() && !push.isReady()) {
            push.connectIfIdle();
            return;
        }
        hooksPending = false;
        if (!hooks.isEmpty()) {
            threads.callbackExecutor().execute(hooks::runAll);
        }
    }

    private void shutdownOnLoop() {
        sweeper.cancel();
        if (heartbeatFuture != null) {
            heartbeatFuture.cancel(false);
        }
        main.close();
        push.close();
        Request.failAll(inbound, r -> StoreErrors.closed(r.describe(), url));
        blocking.close();
        for (StoreConnection connection : List.copyOf(opener.connections())) {
            for (Request request : connection.pending) {
                request.completeExceptionally(StoreErrors.closed(request.describe(), url));
            }
            connection.close(StoreErrors.closed("close", url));
        }
        watches.clear();
        hooks.clear();
    }
}
