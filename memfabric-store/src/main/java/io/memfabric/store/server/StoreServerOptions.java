package io.memfabric.store.server;

import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.protocol.RespLimits;
import io.memfabric.store.tls.TlsOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable settings of a {@link StoreServer}. Every setting has a {@code *_PROP} name, read through {@link Config}
 * (system property, then {@code MEMFABRIC_*} environment variable, then the documented {@code *_DEFAULT}) when
 * {@link #builder()} is called; builder setters override them. {@link Builder#build()} validates everything and names
 * the bad value: {@code maxKeyBytes=0 (expected: 1..67108864)}.
 *
 * <p>Thread safety: immutable; one instance may start any number of servers (one at a time per address).
 */
public final class StoreServerOptions {
    /** Where the server listens: a store URL ({@code tcp://ip:port} or {@code tcp://[ipv6]:port}). */
    public static final String LISTEN_PROP = "memfabric.store.listen";
    /** Default listen address: loopback only, so nothing is exposed unless asked for. */
    public static final String LISTEN_DEFAULT = "tcp://127.0.0.1:7000";

    /** PEM certificate chain of the server; setting it turns TLS 1.3 on (no default: plain TCP, as upstream). */
    public static final String TLS_CERTIFICATE_PROP = "memfabric.store.tls.certificate.file";
    /** PEM PKCS#8 private key of the server (required with {@link #TLS_CERTIFICATE_PROP}). */
    public static final String TLS_PRIVATE_KEY_PROP = "memfabric.store.tls.private.key.file";
    /** PEM CA certificates that client certificates must chain to (required with {@link #TLS_CERTIFICATE_PROP}). */
    public static final String TLS_CA_FILE_PROP = "memfabric.store.tls.ca.file";
    /** Optional PEM or DER CRL checked against client certificates. */
    public static final String TLS_CRL_FILE_PROP = "memfabric.store.tls.crl.file";
    /** Whether clients must present a certificate (mutual TLS). */
    public static final String TLS_REQUIRE_CLIENT_CERTIFICATE_PROP = "memfabric.store.tls.require.client.certificate";
    /** Mutual TLS is off unless asked for. */
    public static final boolean TLS_REQUIRE_CLIENT_CERTIFICATE_DEFAULT = false;

    /** Shared secret that clients must send with {@code AUTH} before anything else. */
    public static final String AUTH_SECRET_PROP = "memfabric.store.auth.secret";
    /** A file whose first line is the shared secret (keeps it out of the process list). */
    public static final String AUTH_SECRET_FILE_PROP = "memfabric.store.auth.secret.file";

    /** Longest key, bytes. */
    public static final String MAX_KEY_BYTES_PROP = "memfabric.store.max.key.bytes";
    /** Upstream's server limit (its client allows 1024). */
    public static final int MAX_KEY_BYTES_DEFAULT = RespLimits.DEFAULT_MAX_KEY_BYTES;

    /** Longest value (and longest argument of any command), bytes; sizes take k/m/g suffixes. */
    public static final String MAX_VALUE_BYTES_PROP = "memfabric.store.max.value.bytes";
    /** DESIGN §3 store limit (redis-server allows 512 MiB). */
    public static final long MAX_VALUE_BYTES_DEFAULT = RespLimits.DEFAULT_MAX_VALUE_BYTES;

    /** Most arguments in one command, the command name included. */
    public static final String MAX_ARGUMENTS_PROP = "memfabric.store.max.arguments";
    /** Enough for {@code DEL}/{@code EXISTS} of many keys. */
    public static final int MAX_ARGUMENTS_DEFAULT = RespLimits.DEFAULT_MAX_ARGUMENTS;

    /** Most simultaneous client connections; one more is answered {@code -ERR max number of clients reached}. */
    public static final String MAX_CLIENTS_PROP = "memfabric.store.max.clients";
    /** redis-server's default {@code maxclients}. */
    public static final int MAX_CLIENTS_DEFAULT = 10000;

    /** Heartbeat period expected from clients that sent {@code MF.HELLO} without one; also the check period. */
    public static final String HEARTBEAT_PERIOD_PROP = "memfabric.store.heartbeat.period";
    /** Upstream's 2 s heartbeat interval. */
    public static final Duration HEARTBEAT_PERIOD_DEFAULT = Duration.ofSeconds(2);

    /** Silent periods after which a client that sent {@code MF.HELLO} is declared down and disconnected. */
    public static final String MISSED_HEARTBEATS_PROP = "memfabric.store.missed.heartbeats";
    /** Upstream: a link is broken after more than 3 missed intervals. */
    public static final int MISSED_HEARTBEATS_DEFAULT = 3;

    /**
     * After the server starts, for this long, {@code MF.RANK} grants at once only the ranks that reconnecting clients
     * reclaim ({@code MF.RANK ... RECLAIM}, sent by a client that held the rank before the store restarted); other
     * requests wait until the window ends, so a new client is never given a rank that a live client will take back.
     * 0 (the default) turns the window off: a store that nobody restarts under live clients needs none. Property
     * {@value}.
     */
    public static final String RANK_RECLAIM_WINDOW_PROP = "memfabric.store.rank.reclaim.window";
    /** Off: every rank request is answered at once, as before. */
    public static final Duration RANK_RECLAIM_WINDOW_DEFAULT = Duration.ZERO;
    /** Longest reclaim window. */
    public static final Duration MAX_RANK_RECLAIM_WINDOW = Duration.ofMinutes(10);

    /** Smallest heartbeat period accepted, here and in {@code MF.HELLO}: the liveness timer never ticks faster. */
    public static final Duration MIN_HEARTBEAT_PERIOD = Duration.ofMillis(10);
    /** Largest heartbeat period accepted. */
    public static final Duration MAX_HEARTBEAT_PERIOD = Duration.ofHours(1);
    /** Bytes a reply adds to a value at most (bulk header, CRLF, a push's array header): room in the hard limit. */
    static final int MAX_REPLY_OVERHEAD_BYTES = 64 << 10;
    /** Largest {@code maxClients}. */
    public static final int MAX_MAX_CLIENTS = 1_000_000;
    /** Fewest arguments a server must accept: {@code MF.CAS key expected new} has four. */
    public static final int MIN_MAX_ARGUMENTS = 4;

    private final InetSocketAddress listen;
    private final Optional<TlsOptions> tls;
    private final Optional<String> authSecret;
    private final int maxKeyBytes;
    private final long maxValueBytes;
    private final int maxArguments;
    private final int maxClients;
    private final Duration heartbeatPeriod;
    private final int missedHeartbeats;
    private final Duration rankReclaimWindow;
    private final ClientLimits clientLimits;

    private StoreServerOptions(Builder b, Optional<String> authSecret) {
        this.listen = b.listen;
        this.tls = Optional.ofNullable(b.tls);
        this.authSecret = authSecret;
        this.maxKeyBytes = b.maxKeyBytes;
        this.maxValueBytes = b.maxValueBytes;
        this.maxArguments = b.maxArguments;
        this.maxClients = b.maxClients;
        this.heartbeatPeriod = b.heartbeatPeriod;
        this.missedHeartbeats = b.missedHeartbeats;
        this.rankReclaimWindow = b.rankReclaimWindow;
        this.clientLimits = b.clientLimits;
    }

    /**
     * @return a builder holding the configured values ({@link Config}: system properties, then environment), or the
     *         defaults
     * @throws ConfigurationException when a configured value does not parse, naming the key, the value and its origin
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return settings from {@link Config} and the defaults, validated. */
    public static StoreServerOptions defaults() {
        return builder().build();
    }

    /** @return the address to listen on; port 0 means an ephemeral port ({@link StoreServer#localAddress()}). */
    public InetSocketAddress listen() {
        return listen;
    }

    /** @return TLS settings, or empty for plain TCP (the default). */
    public Optional<TlsOptions> tls() {
        return tls;
    }

    /** @return the shared secret clients must {@code AUTH} with, or empty when none is required (the default). */
    public Optional<String> authSecret() {
        return authSecret;
    }

    /** @return the longest key accepted, bytes. */
    public int maxKeyBytes() {
        return maxKeyBytes;
    }

    /** @return the longest value (and command argument) accepted, bytes. */
    public long maxValueBytes() {
        return maxValueBytes;
    }

    /** @return the most arguments accepted in one command, the command name included. */
    public int maxArguments() {
        return maxArguments;
    }

    /** @return the most simultaneous client connections. */
    public int maxClients() {
        return maxClients;
    }

    /** @return the heartbeat period of clients that announce none, and the liveness check period. */
    public Duration heartbeatPeriod() {
        return heartbeatPeriod;
    }

    /** @return how many silent periods declare a client that sent {@code MF.HELLO} down. */
    public int missedHeartbeats() {
        return missedHeartbeats;
    }

    /** @return how long after start {@code MF.RANK} serves reclaims first; zero when off. */
    public Duration rankReclaimWindow() {
        return rankReclaimWindow;
    }

    /** @return what one client may cost: output limits, and the limits before {@code AUTH}. */
    public ClientLimits clientLimits() {
        return clientLimits;
    }

    /** @return the decoder limits these options imply. */
    RespLimits respLimits() {
        return RespLimits.forCommands(maxValueBytes, maxArguments);
    }

    @Override
    public String toString() {
        return "StoreServerOptions{listen=" + listen + ", tls=" + tls.isPresent() + ", auth=" + authSecret.isPresent()
                + ", maxKeyBytes=" + maxKeyBytes + ", maxValueBytes=" + maxValueBytes + ", maxArguments="
                + maxArguments + ", maxClients=" + maxClients + ", heartbeatPeriod=" + heartbeatPeriod
                + ", missedHeartbeats=" + missedHeartbeats + ", rankReclaimWindow=" + rankReclaimWindow + ", "
                + clientLimits + "}";
    }

    /**
     * Builds {@link StoreServerOptions}. Starts from the configured values (see the {@code *_PROP} constants).
     *
     * <p>Thread safety: not thread safe; use from one thread.
     */
    public static final class Builder {
        private InetSocketAddress listen;
        private TlsOptions tls;
        private String authSecret;
        private Path authSecretFile;
        private int maxKeyBytes;
        private long maxValueBytes;
        private int maxArguments;
        private int maxClients;
        private Duration heartbeatPeriod;
        private int missedHeartbeats;
        private Duration rankReclaimWindow;
        private ClientLimits clientLimits;

        private Builder() {
            Config.Raw listenRaw = Config.raw(LISTEN_PROP);
            String listenText = listenRaw.value() == null ? LISTEN_DEFAULT : listenRaw.value();
            try {
                listen = StoreUrl.parse(listenText).socketAddress();
            } catch (ConfigurationException e) {
                throw new ConfigurationException(LISTEN_PROP + "=" + listenText + " (" + describe(listenRaw) + "): "
                        + e.getMessage(), e);
            }
            tls = tlsFromConfig();
            authSecret = Config.string(AUTH_SECRET_PROP, null);
            String file = Config.string(AUTH_SECRET_FILE_PROP, null);
            authSecretFile = file == null ? null : Path.of(file);
            maxKeyBytes = Config.integer(MAX_KEY_BYTES_PROP, MAX_KEY_BYTES_DEFAULT);
            maxValueBytes = Config.size(MAX_VALUE_BYTES_PROP, MAX_VALUE_BYTES_DEFAULT);
            maxArguments = Config.integer(MAX_ARGUMENTS_PROP, MAX_ARGUMENTS_DEFAULT);
            maxClients = Config.integer(MAX_CLIENTS_PROP, MAX_CLIENTS_DEFAULT);
            heartbeatPeriod = Config.duration(HEARTBEAT_PERIOD_PROP, HEARTBEAT_PERIOD_DEFAULT);
            missedHeartbeats = Config.integer(MISSED_HEARTBEATS_PROP, MISSED_HEARTBEATS_DEFAULT);
            rankReclaimWindow = Config.duration(RANK_RECLAIM_WINDOW_PROP, RANK_RECLAIM_WINDOW_DEFAULT);
            clientLimits = ClientLimits.defaults();
        }

        private static TlsOptions tlsFromConfig() {
            String certificate = Config.string(TLS_CERTIFICATE_PROP, null);
            if (certificate == null) {
                return null;
            }
            String key = Config.string(TLS_PRIVATE_KEY_PROP, null);
            String ca = Config.string(TLS_CA_FILE_PROP, null);
            if (key == null || ca == null) {
                throw new ConfigurationException(TLS_CERTIFICATE_PROP + "=" + certificate + " needs "
                        + TLS_PRIVATE_KEY_PROP + " and " + TLS_CA_FILE_PROP + " (expected: all three)");
            }
            String crl = Config.string(TLS_CRL_FILE_PROP, null);
            boolean requireClient = Config.bool(TLS_REQUIRE_CLIENT_CERTIFICATE_PROP,
                    TLS_REQUIRE_CLIENT_CERTIFICATE_DEFAULT);
            return new TlsOptions(Path.of(ca), Optional.of(Path.of(certificate)), Optional.of(Path.of(key)),
                    Optional.ofNullable(crl).map(Path::of), requireClient);
        }

        private static String describe(Config.Raw raw) {
            return switch (raw.source()) {
                case SYSTEM_PROPERTY -> "system property";
                case ENVIRONMENT -> "environment " + Config.envName(raw.key());
                case DEFAULT -> "default";
            };
        }

        /** Listens on the address of {@code url}. */
        public Builder listen(StoreUrl url) {
            this.listen = Objects.requireNonNull(url, "url").socketAddress();
            return this;
        }

        /** Listens on {@code address}; port 0 picks an ephemeral port (tests). */
        public Builder listen(InetSocketAddress address) {
            this.listen = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Serves TLS 1.3 only, with these settings; {@code null} turns TLS off (the default). */
        public Builder tls(TlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /** Requires {@code AUTH secret} before any other command; {@code null} turns AUTH off (the default). */
        public Builder authSecret(String secret) {
            this.authSecret = secret;
            this.authSecretFile = null;
            return this;
        }

        /** Reads the AUTH secret from the first line of {@code file} at {@link #build()}. */
        public Builder authSecretFile(Path file) {
            this.authSecretFile = Objects.requireNonNull(file, "file");
            this.authSecret = null;
            return this;
        }

        /** Longest key, bytes (default {@value #MAX_KEY_BYTES_DEFAULT}). */
        public Builder maxKeyBytes(int bytes) {
            this.maxKeyBytes = bytes;
            return this;
        }

        /** Longest value and argument, bytes (default 64 MiB). */
        public Builder maxValueBytes(long bytes) {
            this.maxValueBytes = bytes;
            return this;
        }

        /** Most arguments per command, name included (default {@value #MAX_ARGUMENTS_DEFAULT}). */
        public Builder maxArguments(int count) {
            this.maxArguments = count;
            return this;
        }

        /** Most simultaneous clients (default {@value #MAX_CLIENTS_DEFAULT}). */
        public Builder maxClients(int count) {
            this.maxClients = count;
            return this;
        }

        /** Default client heartbeat period and liveness check period (default 2 s). */
        public Builder heartbeatPeriod(Duration period) {
            this.heartbeatPeriod = period;
            return this;
        }

        /** Silent periods that declare a client down (default {@value #MISSED_HEARTBEATS_DEFAULT}). */
        public Builder missedHeartbeats(int count) {
            this.missedHeartbeats = count;
            return this;
        }

        /** After start, {@code MF.RANK} serves reclaims first for this long (default zero: off). */
        public Builder rankReclaimWindow(Duration window) {
            this.rankReclaimWindow = window;
            return this;
        }

        /** What one client may cost (default: {@link ClientLimits#defaults()}). */
        public Builder clientLimits(ClientLimits limits) {
            this.clientLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * @return the validated options
         * @throws ConfigurationException naming the first bad value and what was expected
         */
        public StoreServerOptions build() {
            Config.requireRange("maxValueBytes", maxValueBytes, 1, Integer.MAX_VALUE - 64);
            // Every argument, keys included, is also bounded by maxValueBytes in the decoder.
            Config.requireRange("maxKeyBytes", maxKeyBytes, 1, Integer.MAX_VALUE - 64);
            Config.requireRange("maxArguments", maxArguments, MIN_MAX_ARGUMENTS, 1 << 20);
            Config.requireRange("maxClients", maxClients, 1, MAX_MAX_CLIENTS);
            Config.requirePositive("heartbeatPeriod", heartbeatPeriod);
            if (heartbeatPeriod.compareTo(MIN_HEARTBEAT_PERIOD) < 0
                    || heartbeatPeriod.compareTo(MAX_HEARTBEAT_PERIOD) > 0) {
                throw new ConfigurationException("heartbeatPeriod=" + heartbeatPeriod + " (expected: "
                        + MIN_HEARTBEAT_PERIOD + ".." + MAX_HEARTBEAT_PERIOD + ")");
            }
            Config.requireRange("missedHeartbeats", missedHeartbeats, 1, 1000);
            if (rankReclaimWindow == null || rankReclaimWindow.isNegative()
                    || rankReclaimWindow.compareTo(MAX_RANK_RECLAIM_WINDOW) > 0) {
                throw new ConfigurationException("rankReclaimWindow=" + rankReclaimWindow + " (expected: 0 .. "
                        + MAX_RANK_RECLAIM_WINDOW + ")");
            }
            long hard = clientLimits.outputHardLimitBytes();
            if (hard > 0 && hard < maxValueBytes + MAX_REPLY_OVERHEAD_BYTES) {
                throw new ConfigurationException("outputHardLimitBytes=" + hard + " (expected: 0 (none) or >= "
                        + "maxValueBytes=" + maxValueBytes + " + " + MAX_REPLY_OVERHEAD_BYTES
                        + ", so that a reply of the largest value fits)");
            }
            if (listen.isUnresolved()) {
                throw new ConfigurationException("listen=" + listen + " (expected: an IP address)");
            }
            String secret = authSecret;
            if (authSecretFile != null) {
                secret = readSecret(authSecretFile);
            }
            if (secret != null && (secret.isEmpty() || secret.indexOf('\r') >= 0 || secret.indexOf('\n') >= 0)) {
                throw new ConfigurationException("authSecret=<" + secret.length()
                        + " characters> (expected: non-empty, one line)");
            }
            return new StoreServerOptions(this, Optional.ofNullable(secret));
        }

        private static String readSecret(Path file) {
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                int eol = text.indexOf('\n');
                String line = (eol < 0 ? text : text.substring(0, eol)).strip();
                if (line.isEmpty()) {
                    throw new ConfigurationException("authSecretFile=" + file + ": first line is empty (expected: "
                            + "the secret)");
                }
                return line;
            } catch (IOException e) {
                throw new ConfigurationException("authSecretFile=" + file + ": cannot read (" + e + ")", e);
            }
        }
    }
}
