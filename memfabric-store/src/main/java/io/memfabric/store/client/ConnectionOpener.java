package io.memfabric.store.client;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreFaultPoints;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreConnection.Role;
import io.memfabric.store.protocol.RespLimits;
import io.memfabric.store.protocol.RespReplyDecoder;
import io.memfabric.store.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * Opens connections to the store: TCP (and TLS when configured) through a Netty bootstrap on the client's event loop,
 * then the handshake, written as one batch: {@code AUTH} (when configured), {@code PING}, and what a reconnect must
 * restore on that kind of connection ({@link Replay}: {@code MF.HELLO} and {@code MF.RANK} on main, {@code SUBSCRIBE}
 * and {@code MF.WATCH} on push). A connection is handed over only when the whole handshake has been answered.
 *
 * <p>It also keeps the set of open connections, which the deadline sweep walks and close closes.
 *
 * <p>Thread safety: event loop only.
 */
final class ConnectionOpener {
    /** Adds the requests that restore a kind of connection's state after a reconnect. */
    interface Replay {
        /** Adds the restoring requests, each marked {@link Request#restore}, with {@code timeoutNs}. */
        void addRestoreRequests(List<Request> requests, long timeoutNs);
    }

    /** The longest attempt to connect: a store that needs longer is taken as unreachable for now. */
    private static final long CONNECT_ATTEMPT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final ClientThreads threads;
    private final StoreUrl url;
    private final RespLimits limits;
    private final byte[] secret;
    private final SslContext ssl;
    private final RespStoreClient root;
    private final StoreConnection.Listener listener;
    private final StoreProxy proxy;
    private final DeadlineSweeper sweeper;
    private final BooleanSupplier closed;
    private final Replay mainReplay;
    private final Replay pushReplay;
    private final Set<StoreConnection> connections = new HashSet<>();
    private final long attemptTimeoutNs;

    ConnectionOpener(ClientConductor conductor, StoreConnection.Listener listener, Replay mainReplay,
                     Replay pushReplay) {
        StoreClientOptions options = conductor.options;
        this.threads = conductor.threads;
        this.url = options.url();
        this.limits = RespLimits.forReplies(options.maxValueBytes());
        this.secret = options.authSecret().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.ssl = options.tls().map(TlsContexts::forClient).orElse(null);
        this.root = conductor.root;
        this.listener = listener;
        this.proxy = conductor.proxy;
        this.sweeper = conductor.sweeper;
        this.closed = conductor::isClosed;
        this.mainReplay = mainReplay;
        this.pushReplay = pushReplay;
        this.attemptTimeoutNs = Math.min(CONNECT_ATTEMPT_TIMEOUT_NS, options.connectTimeout().toNanos());
    }

    /** @return how long one attempt to open a connection (and run its handshake) may take. */
    long attemptTimeoutNs() {
        return attemptTimeoutNs;
    }

    /** @return the connections opened and not closed yet (the caller does not keep the set). */
    Set<StoreConnection> connections() {
        return connections;
    }

    /** Forgets a closed connection. */
    void forget(StoreConnection connection) {
        connections.remove(connection);
    }

    /**
     * Opens a connection and runs its handshake, both within {@code attemptNs}.
     *
     * @return completes (on the event loop) with the ready connection, or with a typed failure
     */
    CompletableFuture<StoreConnection> open(Role role, long attemptNs) {
        CompletableFuture<StoreConnection> promise = new CompletableFuture<>();
        StoreConnection connection = new StoreConnection(role, listener);
        long deadlineNs = System.nanoTime() + attemptNs;
        Bootstrap bootstrap = new Bootstrap().group(threads.loop()).channel(threads.channelClass())
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
        if (StoreFaultPoints.CLIENT_CONNECT.failed()) {
            promise.completeExceptionally(connectFailure(new IOException("fault injected at "
                    + StoreFaultPoints.CLIENT_CONNECT.name())));
            return promise;
        }
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
        if (failIfClosed(connection, promise)) {
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
            mainReplay.addRestoreRequests(requests, timeoutNs);
        } else if (connection.role == Role.PUSH) {
            pushReplay.addRestoreRequests(requests, timeoutNs);
        }
        proxy.sendAll(connection, requests);
        sweeper.schedule(deadlineNs);
        Request authRequest = auth;
        requests.getLast().whenComplete((v, e) -> handshakeDone(connection, promise, authRequest, ping));
    }

    private void handshakeDone(StoreConnection connection, CompletableFuture<StoreConnection> promise, Request auth,
                               Request ping) {
        if (promise.isDone() || failIfClosed(connection, promise)) {
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

    /** Closes a connection opened while the client closed, and fails its promise; returns whether it did. */
    private boolean failIfClosed(StoreConnection connection, CompletableFuture<StoreConnection> promise) {
        if (!closed.getAsBoolean()) {
            return false;
        }
        StoreException e = StoreErrors.closed("connect", url);
        connection.close(e);
        promise.completeExceptionally(e);
        return true;
    }
}
