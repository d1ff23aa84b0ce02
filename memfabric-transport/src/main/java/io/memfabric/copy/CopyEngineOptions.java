package io.memfabric.copy;

import io.memfabric.common.NamedThreadFactory;
import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Settings of one {@link CopyEngine}. Each field starts from its system property, then its environment variable
 * (upper case, dots become underscores: {@code memfabric.copy.routes} is {@code MEMFABRIC_COPY_ROUTES}), then the
 * documented default; a builder call overrides all three. {@link Builder#build()} checks every value and names the
 * bad one.
 *
 * <p>Thread safety: immutable; one instance may serve many engines.
 */
public final class CopyEngineOptions {
    /** Ordered route preference, a comma list of shm, cma, tcp (upstream's data-op table). Property {@value}. */
    public static final String ROUTES_PROP = "memfabric.copy.routes";
    /** Default route preference: {@value}. */
    public static final String ROUTES_DEFAULT = "shm,cma,tcp";

    /** One route for every peer, for tests and benchmarks: shm, cma or tcp; empty for none. Property {@value}. */
    public static final String FORCE_ROUTE_PROP = "memfabric.copy.force.route";
    /** Default forced route: none. */
    public static final String FORCE_ROUTE_DEFAULT = "";

    /**
     * Where this rank's tcp data listener binds, {@code ip:port}; port 0 picks a free one. The address is published
     * in the rank's {@link PeerDescriptor}, so it must be reachable by the peers. Property {@value}.
     */
    public static final String DATA_LISTEN_PROP = "memfabric.copy.data.listen";
    /** Default listen address: loopback, any free port (one machine is one "host" for tcp). */
    public static final String DATA_LISTEN_DEFAULT = "127.0.0.1:0";

    /** TCP connections to each peer (opened on first use). Property {@value}. */
    public static final String TCP_CONNECTIONS_PROP = "memfabric.copy.tcp.connections";
    /** Default connections per peer: {@value}. */
    public static final int TCP_CONNECTIONS_DEFAULT = 2;
    /** Largest {@link #TCP_CONNECTIONS_PROP}. */
    public static final int TCP_CONNECTIONS_MAX = 16;

    /**
     * TCP transfers of at least twice this many bytes are striped over several connections in pieces of at least this
     * size, one thread each. Property {@value}.
     */
    public static final String TCP_STRIPE_BYTES_PROP = "memfabric.copy.tcp.stripe.bytes";
    /** Default stripe size: 16 MiB (see docs/transports.md: on 2 cores striping a 1 MiB copy only adds overhead). */
    public static final long TCP_STRIPE_BYTES_DEFAULT = 16L << 20;

    /** Threads that share one large same-host copy, the calling thread included; 1 never splits. Property {@value}. */
    public static final String SHM_COPY_THREADS_PROP = "memfabric.copy.shm.threads";
    /** Default: 2 (the reference machine has 2 cores). */
    public static final int SHM_COPY_THREADS_DEFAULT = 2;
    /** Largest {@link #SHM_COPY_THREADS_PROP}. */
    public static final int SHM_COPY_THREADS_MAX = 64;

    /** Same-host copies of at least this many bytes are split over {@link #SHM_COPY_THREADS_PROP}. Property {@value}.
     */
    public static final String SHM_SPLIT_BYTES_PROP = "memfabric.copy.shm.split.bytes";
    /** Default split threshold: 4 MiB (below it, the hand-off costs more than the second core gains). */
    public static final long SHM_SPLIT_BYTES_DEFAULT = 4L << 20;

    /** Threads that run asynchronous copies and batch groups. Property {@value}. */
    public static final String ASYNC_THREADS_PROP = "memfabric.copy.async.threads";
    /** Default: 2. */
    public static final int ASYNC_THREADS_DEFAULT = 2;
    /** Largest {@link #ASYNC_THREADS_PROP}. */
    public static final int ASYNC_THREADS_MAX = 64;

    /**
     * How long a peer may take to answer a request or accept a connection before it counts as lost
     * ({@code PEER_UNAVAILABLE}). Property {@value}.
     */
    public static final String PEER_TIMEOUT_PROP = "memfabric.copy.peer.timeout";
    /** Default peer timeout: 30 s. */
    public static final Duration PEER_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

    /**
     * How long a waiter (a reply, a listener connection, a payload, a split copy, an idle worker) busy-polls before
     * it parks. How it busy-polls (spinning with a yield every 20 µs, or yielding at every poll, or, inside a tcp
     * payload, parking at once) is learned per connection from the waits it measures
     * ({@code io.memfabric.common.idle.AdaptiveBusyWait}), so that on 2 cores it neither holds up the thread it waits
     * for nor hands its core to other processes more than it must. Property {@value}.
     */
    public static final String SPIN_PROP = "memfabric.copy.spin";
    /**
     * Default busy-poll budget: 200 µs. A parked waiter costs a wake-up (~20 µs here) per round trip; a budget under
     * ~100 µs parks too often on a loaded machine (see docs/transports.md).
     */
    public static final Duration SPIN_DEFAULT = Duration.ofNanos(200_000);

    /**
     * The longest single park of a waiter that nothing wakes: a copy waiting for one of its peer's tcp connections
     * while all are in use parks 1 µs, then twice as long each time, up to this. Property {@value}.
     */
    public static final String MAX_PARK_PROP = "memfabric.copy.max.park";
    /** Default longest park: 1 ms. */
    public static final Duration MAX_PARK_DEFAULT = Duration.ofMillis(1);

    private final List<Route> routes;
    private final Route forceRoute;
    private final InetSocketAddress dataListen;
    private final int tcpConnectionsPerPeer;
    private final long tcpStripeBytes;
    private final int shmCopyThreads;
    private final long shmSplitBytes;
    private final int asyncThreads;
    private final Duration peerTimeout;
    private final Duration spin;
    private final Duration maxPark;
    private final ThreadFactory threadFactory;
    private final boolean peersNumberedLocally;

    private CopyEngineOptions(Builder b) {
        this.routes = List.copyOf(b.routes);
        this.forceRoute = b.forceRoute;
        this.dataListen = b.dataListen;
        this.tcpConnectionsPerPeer = b.tcpConnectionsPerPeer;
        this.tcpStripeBytes = b.tcpStripeBytes;
        this.shmCopyThreads = b.shmCopyThreads;
        this.shmSplitBytes = b.shmSplitBytes;
        this.asyncThreads = b.asyncThreads;
        this.peerTimeout = b.peerTimeout;
        this.spin = b.spin;
        this.maxPark = b.maxPark;
        this.threadFactory = b.threadFactory;
        this.peersNumberedLocally = b.peersNumberedLocally;
    }

    /** @return a builder pre-filled from system properties, environment variables and defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return options from system properties, environment variables and defaults. */
    public static CopyEngineOptions fromConfig() {
        return builder().build();
    }

    /** @return the ordered route preference; a route is used for a peer only where it can work. */
    public List<Route> routes() {
        return routes;
    }

    /** @return the route forced for every peer, or {@code null} when routes are chosen by preference. */
    public Route forceRoute() {
        return forceRoute;
    }

    /** @return where the tcp data listener binds. */
    public InetSocketAddress dataListen() {
        return dataListen;
    }

    /** @return how many tcp connections each peer gets. */
    public int tcpConnectionsPerPeer() {
        return tcpConnectionsPerPeer;
    }

    /** @return the stripe size of large tcp transfers, bytes. */
    public long tcpStripeBytes() {
        return tcpStripeBytes;
    }

    /** @return how many threads share one large same-host copy, the caller included. */
    public int shmCopyThreads() {
        return shmCopyThreads;
    }

    /** @return the size from which a same-host copy is split over {@link #shmCopyThreads()}, bytes. */
    public long shmSplitBytes() {
        return shmSplitBytes;
    }

    /** @return how many threads run asynchronous copies and batch groups. */
    public int asyncThreads() {
        return asyncThreads;
    }

    /** @return how long a peer may stay silent before it counts as lost. */
    public Duration peerTimeout() {
        return peerTimeout;
    }

    /** @return how long a waiter busy-polls before it parks. */
    public Duration spin() {
        return spin;
    }

    /** @return the longest single park of an idle waiter. */
    public Duration maxPark() {
        return maxPark;
    }

    /**
     * @return the factory of the engine's threads; the engine renames each thread it makes to
     *         {@code memfabric-r<rank>-<role>}
     */
    public ThreadFactory threadFactory() {
        return threadFactory;
    }

    /**
     * @return whether this engine numbers its peers itself (a transfer engine without a store): a peer's listener then
     *         has a rank of its own, so the tcp hello names none. Default {@code false}: ranks are the fabric's
     */
    public boolean peersNumberedLocally() {
        return peersNumberedLocally;
    }

    @Override
    public String toString() {
        return "CopyEngineOptions{routes=" + routes + ", forceRoute=" + forceRoute + ", dataListen="
                + PeerDescriptor.formatDataAddress(dataListen) + ", tcpConnectionsPerPeer=" + tcpConnectionsPerPeer
                + ", tcpStripeBytes=" + tcpStripeBytes + ", shmCopyThreads=" + shmCopyThreads + ", shmSplitBytes="
                + shmSplitBytes + ", asyncThreads=" + asyncThreads + ", peerTimeout=" + peerTimeout + ", spin=" + spin
                + ", maxPark=" + maxPark + "}";
    }

    /**
     * Builds {@link CopyEngineOptions}.
     *
     * <p>Thread safety: not thread safe; use from one thread.
     */
    public static final class Builder {
        private List<Route> routes = parseRoutes(ROUTES_PROP, Config.string(ROUTES_PROP, ROUTES_DEFAULT));
        private Route forceRoute = parseForced(Config.string(FORCE_ROUTE_PROP, FORCE_ROUTE_DEFAULT));
        private InetSocketAddress dataListen = parseListen(Config.string(DATA_LISTEN_PROP, DATA_LISTEN_DEFAULT));
        private int tcpConnectionsPerPeer = Config.integer(TCP_CONNECTIONS_PROP, TCP_CONNECTIONS_DEFAULT);
        private long tcpStripeBytes = Config.size(TCP_STRIPE_BYTES_PROP, TCP_STRIPE_BYTES_DEFAULT);
        private int shmCopyThreads = Config.integer(SHM_COPY_THREADS_PROP, SHM_COPY_THREADS_DEFAULT);
        private long shmSplitBytes = Config.size(SHM_SPLIT_BYTES_PROP, SHM_SPLIT_BYTES_DEFAULT);
        private int asyncThreads = Config.integer(ASYNC_THREADS_PROP, ASYNC_THREADS_DEFAULT);
        private Duration peerTimeout = Config.duration(PEER_TIMEOUT_PROP, PEER_TIMEOUT_DEFAULT);
        private Duration spin = Config.duration(SPIN_PROP, SPIN_DEFAULT);
        private Duration maxPark = Config.duration(MAX_PARK_PROP, MAX_PARK_DEFAULT);
        private ThreadFactory threadFactory = NamedThreadFactory.daemon("memfabric-copy");
        private boolean peersNumberedLocally;

        private Builder() {
        }

        /** @param routes the ordered route preference, non-empty, no duplicates */
        public Builder routes(List<Route> routes) {
            this.routes = routes == null ? null : new ArrayList<>(routes);
            return this;
        }

        /** @param route one route for every peer (tests, benchmarks), or {@code null} to choose by preference */
        public Builder forceRoute(Route route) {
            this.forceRoute = route;
            return this;
        }

        /** @param address where the tcp data listener binds; port 0 picks a free port */
        public Builder dataListen(InetSocketAddress address) {
            this.dataListen = address;
            return this;
        }

        /** @param connections tcp connections per peer, 1..{@value CopyEngineOptions#TCP_CONNECTIONS_MAX} */
        public Builder tcpConnectionsPerPeer(int connections) {
            this.tcpConnectionsPerPeer = connections;
            return this;
        }

        /** @param bytes stripe size of large tcp transfers, at least 64 KiB */
        public Builder tcpStripeBytes(long bytes) {
            this.tcpStripeBytes = bytes;
            return this;
        }

        /** @param threads threads sharing one large same-host copy, 1..{@value #SHM_COPY_THREADS_MAX} */
        public Builder shmCopyThreads(int threads) {
            this.shmCopyThreads = threads;
            return this;
        }

        /** @param bytes the size from which same-host copies are split, at least 64 KiB */
        public Builder shmSplitBytes(long bytes) {
            this.shmSplitBytes = bytes;
            return this;
        }

        /** @param threads async and batch worker threads, 1..{@value CopyEngineOptions#ASYNC_THREADS_MAX} */
        public Builder asyncThreads(int threads) {
            this.asyncThreads = threads;
            return this;
        }

        /** @param timeout how long a peer may stay silent before it counts as lost, {@code > 0} */
        public Builder peerTimeout(Duration timeout) {
            this.peerTimeout = timeout;
            return this;
        }

        /** @param spin how long waiters busy-poll before parking, 0..10 ms */
        public Builder spin(Duration spin) {
            this.spin = spin;
            return this;
        }

        /** @param maxPark the longest single park of a copy waiting for a free tcp connection, 1 µs..1 s */
        public Builder maxPark(Duration maxPark) {
            this.maxPark = maxPark;
            return this;
        }

        /** @param threadFactory the factory of the engine's threads */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = threadFactory;
            return this;
        }

        /** @param value whether this engine numbers its peers itself (see {@link #peersNumberedLocally()}) */
        public Builder peersNumberedLocally(boolean value) {
            this.peersNumberedLocally = value;
            return this;
        }

        /**
         * @return the options
         * @throws ConfigurationException naming the first bad value
         */
        public CopyEngineOptions build() {
            if (routes == null || routes.isEmpty()) {
                throw new ConfigurationException("routes=" + routes + " (expected: a non-empty list of shm, cma, tcp)");
            }
            for (int i = 0; i < routes.size(); i++) {
                if (routes.get(i) == null || routes.indexOf(routes.get(i)) != i) {
                    throw new ConfigurationException("routes=" + routes + " (expected: no null and no duplicate)");
                }
            }
            Objects.requireNonNull(dataListen, "dataListen");
            if (dataListen.isUnresolved()) {
                throw new ConfigurationException("dataListen=" + dataListen + " (expected: a resolved address)");
            }
            Config.requireRange("tcpConnectionsPerPeer", tcpConnectionsPerPeer, 1, TCP_CONNECTIONS_MAX);
            Config.requireRange("tcpStripeBytes", tcpStripeBytes, 64 << 10, 1L << 30);
            Config.requireRange("shmCopyThreads", shmCopyThreads, 1, SHM_COPY_THREADS_MAX);
            Config.requireRange("shmSplitBytes", shmSplitBytes, 64 << 10, Long.MAX_VALUE);
            Config.requireRange("asyncThreads", asyncThreads, 1, ASYNC_THREADS_MAX);
            Config.requirePositive("peerTimeout", peerTimeout);
            if (spin == null || spin.isNegative() || spin.compareTo(Duration.ofMillis(10)) > 0) {
                throw new ConfigurationException("spin=" + spin + " (expected: 0..10ms)");
            }
            if (maxPark == null || maxPark.compareTo(Duration.ofNanos(1000)) < 0
                    || maxPark.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new ConfigurationException("maxPark=" + maxPark + " (expected: 1us..1s)");
            }
            Objects.requireNonNull(threadFactory, "threadFactory");
            return new CopyEngineOptions(this);
        }

        private static List<Route> parseRoutes(String key, String text) {
            List<Route> parsed = new ArrayList<>();
            for (String token : text.split(",")) {
                if (!token.isBlank()) {
                    try {
                        parsed.add(Route.parse(token));
                    } catch (ConfigurationException e) {
                        throw new ConfigurationException(key + "=" + text + ": " + e.getMessage());
                    }
                }
            }
            return parsed;
        }

        private static Route parseForced(String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                return Route.parse(text);
            } catch (ConfigurationException e) {
                throw new ConfigurationException(FORCE_ROUTE_PROP + "=" + text + ": " + e.getMessage());
            }
        }

        private static InetSocketAddress parseListen(String text) {
            try {
                return PeerDescriptor.parseListenAddress(text.trim());
            } catch (ConfigurationException e) {
                throw new ConfigurationException(DATA_LISTEN_PROP + "=" + text + ": " + e.getMessage());
            }
        }
    }
}
