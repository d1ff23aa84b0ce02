package io.memfabric.store.server;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.tls.TlsContexts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The config-store server: RESP2 over TCP (optionally TLS 1.3), served by one Netty event loop thread named
 * {@value #THREAD_NAME} (epoll where available, else NIO). Every piece of state lives on that thread, so nothing is
 * locked. Standard commands answer as redis-server 7 does, so {@code redis-cli} can inspect a live fabric and
 * {@code redis-benchmark} can load it; {@code MF.*} commands add blocking waits, compare-and-set, watches, liveness
 * and rank assignment (see the package documentation for their replies).
 *
 * <pre>{@code
 * try (StoreServer server = StoreServer.start(StoreServerOptions.builder()
 *         .listen(StoreUrl.parse("tcp://127.0.0.1:7000")).build())) {
 *     ... server.url() ...
 * }
 * }</pre>
 *
 * <p>Thread safety: every method may be called from any thread. The caller that started the server closes it.
 */
public final class StoreServer implements AutoCloseable {
    /** The name of the server's event loop thread. */
    public static final String THREAD_NAME = "memfabric-store-io";

    private static final Logger LOG = LoggerFactory.getLogger(StoreServer.class);
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    private final StoreServerOptions options;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel serverChannel;
    private final StoreEngine engine;
    private final InetSocketAddress localAddress;
    private final CloseOnce closed = new CloseOnce();

    private StoreServer(StoreServerOptions options, EventLoopGroup group, EventLoop loop, Channel serverChannel,
                        StoreEngine engine) {
        this.options = options;
        this.group = group;
        this.loop = loop;
        this.serverChannel = serverChannel;
        this.engine = engine;
        this.localAddress = (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Binds and starts a server.
     *
     * @param options the settings
     * @return the running server; the caller closes it
     * @throws StoreException         {@code STORE_IO_ERROR} when the address cannot be bound (in use, not local),
     *                                naming the address
     * @throws ConfigurationException {@code INVALID_PARAM} when the TLS files cannot be used
     */
    public static StoreServer start(StoreServerOptions options) {
        SslContext sslContext = options.tls().map(TlsContexts::forServer).orElse(null);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory ioHandlerFactory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, threadFactory(), ioHandlerFactory);
        try {
            EventLoop loop = group.next();
            StoreEngine engine = new StoreEngine(options, loop);
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(channelClass)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    // A restarted server must bind while the last one's connections sit in TIME_WAIT; on Linux this
                    // never lets two servers listen on one address, so startIfAbsent still sees a live one.
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new StoreChannelInitializer(engine, sslContext, options.respLimits()));
            ChannelFuture bound = bootstrap.bind(options.listen()).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                Throwable cause = bound.cause();
                throw new StoreException(ErrorCode.STORE_IO_ERROR, "store server cannot listen on "
                        + describe(options.listen()) + ": " + cause.getMessage(), cause);
            }
            loop.submit(engine::start).syncUninterruptibly();
            StoreServer server = new StoreServer(options, group, loop, bound.channel(), engine);
            LOG.info("store server listening on {} ({}, tls={}, auth={})", describe(server.localAddress),
                    epoll ? "epoll" : "nio", options.tls().isPresent(), options.authSecret().isPresent());
            return server;
        } catch (Throwable t) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(CLOSE_TIMEOUT_MS);
            throw t;
        }
    }

    /**
     * Starts a server unless another process (or server) already listens on the address: upstream's embedded store
     * is started by whichever rank wins that race, and the losers connect to the winner.
     *
     * @param options the settings
     * @return the running server, or empty when the address is in use
     * @throws StoreException {@code STORE_IO_ERROR} for any other bind failure
     */
    public static Optional<StoreServer> startIfAbsent(StoreServerOptions options) {
        try {
            return Optional.of(start(options));
        } catch (StoreException e) {
            if (isAddressInUse(e.getCause())) {
                LOG.info("store server not started: {} is already in use", describe(options.listen()));
                return Optional.empty();
            }
            throw e;
        }
    }

    private static boolean isAddressInUse(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    private static ThreadFactory threadFactory() {
        // FastThreadLocalThread: Netty's pooled allocator keeps its per-thread caches in FastThreadLocals.
        return runnable -> {
            Thread thread = new FastThreadLocalThread(runnable, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        };
    }

    private static String describe(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String host = ip == null ? address.getHostString() : ip.getHostAddress();
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** @return the address the server is bound to, with the real port (also when {@code listen} asked for 0). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * @return the URL clients connect to: the bound address, or loopback when the server listens on a wildcard
     *         address
     * @throws ConfigurationException when the bound port is below {@link StoreUrl#MIN_PORT}
     */
    public StoreUrl url() {
        InetAddress ip = localAddress.getAddress();
        boolean v6 = ip instanceof Inet6Address;
        String host;
        if (ip.isAnyLocalAddress()) {
            host = v6 ? "::1" : "127.0.0.1";
        } else {
            host = v6 ? compressIpv6(ip.getAddress()) : ip.getHostAddress();
        }
        return new StoreUrl(host, localAddress.getPort(), v6);
    }

    /** RFC 5952 text of an IPv6 address: lower-case hex, the longest run of two or more zero groups as "::". */
    static String compressIpv6(byte[] address) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** @return the options the server was started with. */
    public StoreServerOptions options() {
        return options;
    }

    /** @return the number of client connections currently admitted. */
    public int connectedClients() {
        return engine.connectedClients();
    }

    /** @return the number of blocked {@code MF.WAIT}s (diagnostics and tests); waits for the event loop. */
    int blockedWaits() {
        return loop.submit(() -> engine.waits().size()).syncUninterruptibly().getNow();
    }

    /** @return the warnings of {@code kind} suppressed in the current interval (tests); waits for the event loop. */
    long suppressedWarnings(String kind) {
        return loop.submit(() -> engine.log().suppressed(kind)).syncUninterruptibly().getNow();
    }

    /** @return the id of the event loop thread (diagnostics and tests); waits for the event loop. */
    long eventLoopThreadId() {
        return loop.submit(() -> Thread.currentThread().threadId()).syncUninterruptibly().getNow();
    }

    /**
     * Stops the server: every blocked {@code MF.WAIT} is answered {@code -STORE_SHUTDOWN ...}, every connection is
     * closed after its pending replies, and the event loop thread is joined (unless close is called from that very
     * thread). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.begin()) {
            return;
        }
        if (loop.inEventLoop()) {
            engine.shutdown();
            serverChannel.close();
            group.shutdownGracefully(0, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return;
        }
        Future<?> stopped = loop.submit(() -> {
            engine.shutdown();
            serverChannel.close();
        });
        if (!stopped.awaitUninterruptibly(CLOSE_TIMEOUT_MS)) {
            LOG.warn("store server {}: shutdown task did not finish within {} ms", describe(localAddress),
                    CLOSE_TIMEOUT_MS);
        }
        Future<?> terminated = group.shutdownGracefully(0, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (!terminated.awaitUninterruptibly(CLOSE_TIMEOUT_MS + 1000)) {
            LOG.warn("store server {}: event loop did not stop within {} ms", describe(localAddress),
                    CLOSE_TIMEOUT_MS);
        }
        LOG.info("store server {} stopped", describe(localAddress));
    }

    @Override
    public String toString() {
        return "StoreServer{" + describe(localAddress) + ", clients=" + connectedClients() + "}";
    }
}
