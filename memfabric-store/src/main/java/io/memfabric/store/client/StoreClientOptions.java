package io.memfabric.store.client;

import io.memfabric.common.NamedThreadFactory;
import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.protocol.RespLimits;
import io.memfabric.store.tls.TlsOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * Settings of a {@link StoreClient}: immutable, built by {@link #builder(StoreUrl)}, validated by
 * {@link Builder#build()}. A builder starts from system property {@code memfabric.store.*}, then environment variable
 * {@code MEMFABRIC_STORE_*} (see {@link Config}), then the documented default; a builder call overrides all three.
 *
 * <p>Thread safety: immutable; one instance may serve many clients.
 */
public final class StoreClientOptions {
    /** Deadline of a call that names none. Property {@value}, env {@code MEMFABRIC_STORE_REQUEST_TIMEOUT}. */
    public static final String REQUEST_TIMEOUT_PROP = "memfabric.store.request.timeout";
    /** Default request timeout: 120 s, upstream's control-operation timeout. */
    public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(120);

    /**
     * Total time {@link StoreClient#connect} keeps trying to reach the store (every attempt, backoff included).
     * Property {@value}, env {@code MEMFABRIC_STORE_CONNECT_TIMEOUT}.
     */
    public static final String CONNECT_TIMEOUT_PROP = "memfabric.store.connect.timeout";
    /** Default connect timeout: 60 s (upstream retries every 1 s, 60 times). */
    public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(60);

    /**
     * First pause between connect attempts; it doubles after each failed attempt, up to
     * {@link #CONNECT_BACKOFF_MAX_PROP}.
     * Used for the first connect and for reconnects. Property {@value}.
     */
    public static final String CONNECT_BACKOFF_MIN_PROP = "memfabric.store.connect.backoff.min";
    /** Default first pause: 50 ms, so that a store that starts a moment after its clients is found at once. */
    public static final Duration CONNECT_BACKOFF_MIN_DEFAULT = Duration.ofMillis(50);

    /** Longest pause between connect attempts. Property {@value}. */
    public static final String CONNECT_BACKOFF_MAX_PROP = "memfabric.store.connect.backoff.max";
    /** Default longest pause: 1 s, upstream's retry interval. */
    public static final Duration CONNECT_BACKOFF_MAX_DEFAULT = Duration.ofSeconds(1);

    /**
     * Heartbeat period announced in {@code MF.HELLO}: the client sends a {@code PING} when it has sent nothing for
     * half a period; the server declares it down after three missed periods. Also the client's own liveness check:
     * a connection with a request unanswered and nothing read for three periods is reset. Property {@value}.
     */
    public static final String HEARTBEAT_PERIOD_PROP = "memfabric.store.heartbeat.period";
    /** Default heartbeat period: 2 s, as upstream. */
    public static final Duration HEARTBEAT_PERIOD_DEFAULT = Duration.ofSeconds(2);

    /**
     * Shared secret sent with {@code AUTH} on every connection. Property {@value}, env
     * {@code MEMFABRIC_STORE_AUTH_SECRET}.
     */
    public static final String AUTH_SECRET_PROP = "memfabric.store.auth.secret";
    /** Default: no secret, no {@code AUTH}. */
    public static final String AUTH_SECRET_DEFAULT = null;

    /**
     * Most connections used for blocking waits ({@code MF.WAIT}); more concurrent waits queue for a free one.
     * Property {@value}.
     */
    public static final String MAX_BLOCKING_CONNECTIONS_PROP = "memfabric.store.client.max.blocking.connections";
    /** Default: 64 blocking connections. */
    public static final int MAX_BLOCKING_CONNECTIONS_DEFAULT = 64;

    /** Largest bulk string accepted in a reply, bytes. Property {@value} (the same setting as the server's). */
    public static final String MAX_VALUE_BYTES_PROP = "memfabric.store.max.value.bytes";
    /** Default: 64 MiB, the store's value limit (DESIGN §3). */
    public static final long MAX_VALUE_BYTES_DEFAULT = RespLimits.DEFAULT_MAX_VALUE_BYTES;

    /**
     * PEM CA bundle that the server certificate must chain to; setting it turns TLS on (TLS 1.3, the server's
     * certificate must name the store's IP). Property {@value}. Default: none, plain TCP, as upstream.
     */
    public static final String TLS_CA_FILE_PROP = "memfabric.store.tls.ca.file";
    /** PEM certificate chain this client presents (mutual TLS); needs the key. Property {@value}. Default: none. */
    public static final String TLS_CERTIFICATE_FILE_PROP = "memfabric.store.tls.certificate.file";
    /** PEM PKCS#8 private key of {@link #TLS_CERTIFICATE_FILE_PROP}. Property {@value}. Default: none. */
    public static final String TLS_PRIVATE_KEY_FILE_PROP = "memfabric.store.tls.private.key.file";

    /** Name of the I/O thread of the default thread factory. */
    public static final String IO_THREAD_NAME = "memfabric-store-client-io";
    /** Name of the callback thread of the default thread factory. */
    public static final String CALLBACK_THREAD_NAME = "memfabric-store-callbacks";

    private static final long MAX_TIMEOUT_MS = Integer.MAX_VALUE;

    private final StoreUrl url;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final Duration connectBackoffMin;
    private final Duration connectBackoffMax;
    private final Duration heartbeatPeriod;
    private final TlsOptions tls;
    private final String authSecret;
    private final int maxBlockingConnections;
    private final long maxValueBytes;
    private final ThreadFactory ioThreadFactory;
    private final ThreadFactory callbackThreadFactory;

    private StoreClientOptions(Builder b) {
        this.url = b.url;
        this.requestTimeout = b.requestTimeout;
        this.connectTimeout = b.connectTimeout;
        this.connectBackoffMin = b.connectBackoffMin;
        this.connectBackoffMax = b.connectBackoffMax;
        this.heartbeatPeriod = b.heartbeatPeriod;
        this.tls = b.tls;
        this.authSecret = b.authSecret;
        this.maxBlockingConnections = b.maxBlockingConnections;
        this.maxValueBytes = b.maxValueBytes;
        this.ioThreadFactory = b.threadFactory != null ? b.threadFactory : NamedThreadFactory.daemon(IO_THREAD_NAME);
        this.callbackThreadFactory = b.threadFactory != null ? b.threadFactory
                : NamedThreadFactory.daemon(CALLBACK_THREAD_NAME);
    }

    /**
     * @param url the store to connect to
     * @return a builder pre-filled from system properties, environment and defaults
     * @throws ConfigurationException when a property or environment variable does not parse, naming it and its value
     */
    public static Builder builder(StoreUrl url) {
        return new Builder(url);
    }

    /** @return the store's address. */
    public StoreUrl url() {
        return url;
    }

    /** @return the deadline of a call that names none. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** @return how long {@link StoreClient#connect} keeps trying, all attempts included. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return the first pause between connect attempts. */
    public Duration connectBackoffMin() {
        return connectBackoffMin;
    }

    /** @return the longest pause between connect attempts. */
    public Duration connectBackoffMax() {
        return connectBackoffMax;
    }

    /** @return the heartbeat period. */
    public Duration heartbeatPeriod() {
        return heartbeatPeriod;
    }

    /** @return the TLS settings, empty for plain TCP. */
    public Optional<TlsOptions> tls() {
        return Optional.ofNullable(tls);
    }

    /** @return the {@code AUTH} secret, empty when none is sent. */
    public Optional<String> authSecret() {
        return Optional.ofNullable(authSecret);
    }

    /** @return the most connections used for blocking waits. */
    public int maxBlockingConnections() {
        return maxBlockingConnections;
    }

    /** @return the largest bulk string accepted in a reply, bytes. */
    public long maxValueBytes() {
        return maxValueBytes;
    }

    /** @return the factory of the I/O thread. */
    public ThreadFactory ioThreadFactory() {
        return ioThreadFactory;
    }

    /** @return the factory of the callback thread. */
    public ThreadFactory callbackThreadFactory() {
        return callbackThreadFactory;
    }

    /** @return the settings, without the secret. */
    @Override
    public String toString() {
        return "StoreClientOptions{url=" + url + ", requestTimeout=" + requestTimeout + ", connectTimeout="
                + connectTimeout + ", connectBackoff=" + connectBackoffMin + ".." + connectBackoffMax
                + ", heartbeatPeriod=" + heartbeatPeriod + ", tls=" + (tls != null) + ", authSecret="
                + (authSecret != null ? "<set>" : "<none>") + ", maxBlockingConnections=" + maxBlockingConnections
                + ", maxValueBytes=" + maxValueBytes + "}";
    }

    /**
     * Builds {@link StoreClientOptions}.
     *
     * <p>Thread safety: not thread safe; use from one thread.
     */
    public static final class Builder {
        private final StoreUrl url;
        private Duration requestTimeout = Config.duration(REQUEST_TIMEOUT_PROP, REQUEST_TIMEOUT_DEFAULT);
        private Duration connectTimeout = Config.duration(CONNECT_TIMEOUT_PROP, CONNECT_TIMEOUT_DEFAULT);
        private Duration connectBackoffMin = Config.duration(CONNECT_BACKOFF_MIN_PROP, CONNECT_BACKOFF_MIN_DEFAULT);
        private Duration connectBackoffMax = Config.duration(CONNECT_BACKOFF_MAX_PROP, CONNECT_BACKOFF_MAX_DEFAULT);
        private Duration heartbeatPeriod = Config.duration(HEARTBEAT_PERIOD_PROP, HEARTBEAT_PERIOD_DEFAULT);
        private TlsOptions tls = tlsFromConfig();
        private String authSecret = Config.string(AUTH_SECRET_PROP, AUTH_SECRET_DEFAULT);
        private int maxBlockingConnections = Config.integer(MAX_BLOCKING_CONNECTIONS_PROP,
                MAX_BLOCKING_CONNECTIONS_DEFAULT);
        private long maxValueBytes = Config.size(MAX_VALUE_BYTES_PROP, MAX_VALUE_BYTES_DEFAULT);
        private ThreadFactory threadFactory;

        private Builder(StoreUrl url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /**
         * @param timeout deadline of calls that name none; 1 ms .. 24 days (default 120 s)
         * @return this
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long {@link StoreClient#connect} keeps trying, all attempts included (default 60 s)
         * @return this
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * @param min first pause between connect attempts (default 50 ms); doubles after every failed attempt
         * @param max longest pause (default 1 s); at least {@code min}
         * @return this
         */
        public Builder connectBackoff(Duration min, Duration max) {
            this.connectBackoffMin = min;
            this.connectBackoffMax = max;
            return this;
        }

        /**
         * @param period heartbeat period announced in {@code MF.HELLO} (default 2 s); 10 ms .. 1 h
         * @return this
         */
        public Builder heartbeatPeriod(Duration period) {
            this.heartbeatPeriod = period;
            return this;
        }

        /**
         * @param tls TLS settings of the client side, or {@code null} for plain TCP (the default)
         * @return this
         */
        public Builder tls(TlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /**
         * @param secret the shared secret sent with {@code AUTH} on every connection, or {@code null} for none
         * @return this
         */
        public Builder authSecret(String secret) {
            this.authSecret = secret;
            return this;
        }

        /**
         * @param max most connections used for blocking waits; 1 .. 1024 (default 64)
         * @return this
         */
        public Builder maxBlockingConnections(int max) {
            this.maxBlockingConnections = max;
            return this;
        }

        /**
         * @param bytes largest bulk string accepted in a reply (default 64 MiB)
         * @return this
         */
        public Builder maxValueBytes(long bytes) {
            this.maxValueBytes = bytes;
            return this;
        }

        /**
         * @param factory makes the client's two threads (I/O and callbacks), or {@code null} for the default: daemon
         *                threads named {@value #IO_THREAD_NAME} and {@value #CALLBACK_THREAD_NAME}
         * @return this
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = factory;
            return this;
        }

        /**
         * @return the options
         * @throws ConfigurationException naming the first bad setting, its value and what was expected
         */
        public StoreClientOptions build() {
            requireTimeout("requestTimeout", requestTimeout, Duration.ofMillis(1));
            requireTimeout("connectTimeout", connectTimeout, Duration.ofMillis(1));
            requireTimeout("connectBackoff min", connectBackoffMin, Duration.ofMillis(1));
            requireTimeout("connectBackoff max", connectBackoffMax, Duration.ofMillis(1));
            if (connectBackoffMax.compareTo(connectBackoffMin) < 0) {
                throw new ConfigurationException("connectBackoff max=" + connectBackoffMax + " min="
                        + connectBackoffMin + " (expected: max >= min)");
            }
            requireTimeout("heartbeatPeriod", heartbeatPeriod, Duration.ofMillis(10));
            if (heartbeatPeriod.compareTo(Duration.ofHours(1)) > 0) {
                throw new ConfigurationException("heartbeatPeriod=" + heartbeatPeriod + " (expected: <= PT1H)");
            }
            if (authSecret != null && (authSecret.isEmpty() || authSecret.indexOf('\r') >= 0
                    || authSecret.indexOf('\n') >= 0)) {
                throw new ConfigurationException("authSecret=<" + authSecret.length()
                        + " chars> (expected: non-empty, without CR or LF)");
            }
            Config.requireRange("maxBlockingConnections", maxBlockingConnections, 1, 1024);
            Config.requireRange("maxValueBytes", maxValueBytes, 1, Integer.MAX_VALUE - 64);
            return new StoreClientOptions(this);
        }

        private static void requireTimeout(String name, Duration value, Duration min) {
            if (value == null || value.compareTo(min) < 0 || value.toMillis() > MAX_TIMEOUT_MS) {
                throw new ConfigurationException(name + "=" + value + " (expected: " + min + " .. "
                        + Duration.ofMillis(MAX_TIMEOUT_MS) + ")");
            }
        }

        private static TlsOptions tlsFromConfig() {
            String ca = Config.string(TLS_CA_FILE_PROP, null);
            String certificate = Config.string(TLS_CERTIFICATE_FILE_PROP, null);
            String key = Config.string(TLS_PRIVATE_KEY_FILE_PROP, null);
            if (ca == null) {
                if (certificate != null || key != null) {
                    throw new ConfigurationException(TLS_CERTIFICATE_FILE_PROP + "=" + certificate + " "
                            + TLS_PRIVATE_KEY_FILE_PROP + "=" + key + " (expected: with " + TLS_CA_FILE_PROP + ")");
                }
                return null;
            }
            return new TlsOptions(Path.of(ca), Optional.ofNullable(certificate).map(Path::of),
                    Optional.ofNullable(key).map(Path::of), Optional.empty(), false);
        }
    }
}
