package io.memfabric.bm;

import io.memfabric.common.NamedThreadFactory;
import io.memfabric.config.Config;
import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.error.ConfigurationException;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.store.server.StoreServerOptions;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Settings of {@link BigMemory#init}: upstream's {@code smem_bm_config_t} (upstream-api §2.2, with its defaults) plus
 * memfabric's own. Each field starts from its system property, then its environment variable (upper case, dots become
 * underscores: {@value #AUTO_RANKING_PROP} is {@code MEMFABRIC_BM_AUTO_RANKING}), then the documented default; a
 * builder call overrides all three. {@link Builder#build()} checks every value and names the bad one.
 *
 * <p>Upstream's {@code initTimeout} and {@code createTimeout} are validated but unused there, and
 * {@code unifiedAddressSpace} must be true; none of them is needed here. Its {@code hcomUrl} (the NIC of the host
 * transport) is the copy engine's data listen address.
 *
 * <p>Thread safety: immutable; one instance may serve many {@link BigMemory} instances (e.g. several ranks in a test
 * JVM).
 */
public final class BigMemoryOptions {
    /** How long join, leave and barrier wait for the other ranks (upstream {@code controlOperationTimeout}). */
    public static final String CONTROL_OPERATION_TIMEOUT_PROP = "memfabric.bm.control.operation.timeout";
    /** Default control operation timeout: 120 s, as upstream. */
    public static final Duration CONTROL_OPERATION_TIMEOUT_DEFAULT = Duration.ofSeconds(120);

    /**
     * Whether this process may start the config store when the store URL's address is one of this host's
     * (upstream {@code startConfigStoreServer}; rule in {@link BigMemory#init}). Property {@value}.
     */
    public static final String START_CONFIG_STORE_SERVER_PROP = "memfabric.bm.start.config.store.server";
    /** Default: {@value}, as upstream. */
    public static final boolean START_CONFIG_STORE_SERVER_DEFAULT = true;

    /**
     * Whether the store assigns this process's rank (the lowest free one) rather than {@link #rankId()} (upstream
     * {@code autoRanking}; its header comment says false, its code sets true). Property {@value}.
     */
    public static final String AUTO_RANKING_PROP = "memfabric.bm.auto.ranking";
    /** Default: {@value}, as upstream's code. */
    public static final boolean AUTO_RANKING_DEFAULT = true;

    /**
     * The rank to take when auto-ranking is off, {@code 0..worldSize-1} (upstream {@code rankId}). Property {@value}.
     */
    public static final String RANK_ID_PROP = "memfabric.bm.rank.id";
    /** Default: {@value} (unset; upstream {@code UINT16_MAX}); required when auto-ranking is off. */
    public static final int RANK_ID_DEFAULT = -1;

    /**
     * The fabric's id: it separates fabrics that share a store (keys under {@code bm/<fabricId>/}) and a host (it is in
     * the shared-memory file names), 1-64 of {@code [A-Za-z0-9_.]}. Property {@value}.
     */
    public static final String FABRIC_ID_PROP = "memfabric.bm.fabric.id";
    /** Default fabric id: {@value}. */
    public static final String FABRIC_ID_DEFAULT = "default";

    private static final Pattern FABRIC_ID = Pattern.compile("[A-Za-z0-9_.]{1,64}");
    private static final Consumer<Object> NOTHING = b -> { };

    private final Duration controlOperationTimeout;
    private final boolean startConfigStoreServer;
    private final boolean autoRanking;
    private final int rankId;
    private final String fabricId;
    private final Consumer<? super StoreClientOptions.Builder> storeClient;
    private final Consumer<? super StoreServerOptions.Builder> storeServer;
    private final Consumer<? super CopyEngineOptions.Builder> copyEngine;
    private final ThreadFactory threadFactory;

    private BigMemoryOptions(Builder b) {
        this.controlOperationTimeout = b.controlOperationTimeout;
        this.startConfigStoreServer = b.startConfigStoreServer;
        this.autoRanking = b.autoRanking;
        this.rankId = b.rankId;
        this.fabricId = b.fabricId;
        this.storeClient = b.storeClient;
        this.storeServer = b.storeServer;
        this.copyEngine = b.copyEngine;
        this.threadFactory = b.threadFactory;
    }

    /** @return a builder pre-filled from system properties, environment variables and defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the options of {@link #builder()} as they are, i.e. the configured values and defaults. */
    public static BigMemoryOptions defaults() {
        return builder().build();
    }

    /** @return how long join, leave and barrier wait for the other ranks. */
    public Duration controlOperationTimeout() {
        return controlOperationTimeout;
    }

    /** @return whether this process may start the config store (see {@link BigMemory#init}). */
    public boolean startConfigStoreServer() {
        return startConfigStoreServer;
    }

    /** @return whether the store assigns the rank. */
    public boolean autoRanking() {
        return autoRanking;
    }

    /** @return the rank to take when auto-ranking is off, or -1 when unset. */
    public int rankId() {
        return rankId;
    }

    /** @return the fabric's id. */
    public String fabricId() {
        return fabricId;
    }

    /** @return what is applied to {@code StoreClientOptions.builder(url)} before the store clients connect. */
    public Consumer<? super StoreClientOptions.Builder> storeClient() {
        return storeClient;
    }

    /** @return what is applied to the options of a store this process starts (its listen address is set first). */
    public Consumer<? super StoreServerOptions.Builder> storeServer() {
        return storeServer;
    }

    /**
     * @return what is applied to {@code CopyEngineOptions.builder()} (after its thread factory is set to
     *         {@link #threadFactory()}) when a {@link BigMemorySpace} starts its copy engine: routes, a forced route,
     *         the data listen address (upstream {@code hcomUrl}), tcp connections, ...
     */
    public Consumer<? super CopyEngineOptions.Builder> copyEngine() {
        return copyEngine;
    }

    /** @return the copy engine options of a new space: the configured values, then {@link #copyEngine()}. */
    CopyEngineOptions copyEngineOptions() {
        CopyEngineOptions.Builder builder = CopyEngineOptions.builder().threadFactory(threadFactory);
        copyEngine.accept(builder);
        return builder.build();
    }

    /**
     * @return the factory of every thread memfabric starts for a BigMemory; each thread is renamed
     *         {@code memfabric-<fabricId>-r<rank>-<role>} (the group engine's {@code memfabric-<fabricId>.bm<id>-...})
     */
    public ThreadFactory threadFactory() {
        return threadFactory;
    }

    @Override
    public String toString() {
        return "BigMemoryOptions{controlOperationTimeout=" + controlOperationTimeout + ", startConfigStoreServer="
                + startConfigStoreServer + ", autoRanking=" + autoRanking + ", rankId=" + rankId + ", fabricId="
                + fabricId + "}";
    }

    /**
     * Builds {@link BigMemoryOptions}.
     *
     * <p>Thread safety: not thread safe; use from one thread.
     */
    public static final class Builder {
        private Duration controlOperationTimeout = Config.duration(CONTROL_OPERATION_TIMEOUT_PROP,
                CONTROL_OPERATION_TIMEOUT_DEFAULT);
        private boolean startConfigStoreServer = Config.bool(START_CONFIG_STORE_SERVER_PROP,
                START_CONFIG_STORE_SERVER_DEFAULT);
        private boolean autoRanking = Config.bool(AUTO_RANKING_PROP, AUTO_RANKING_DEFAULT);
        private int rankId = Config.integer(RANK_ID_PROP, RANK_ID_DEFAULT);
        private String fabricId = Config.string(FABRIC_ID_PROP, FABRIC_ID_DEFAULT);
        private Consumer<? super StoreClientOptions.Builder> storeClient = NOTHING;
        private Consumer<? super StoreServerOptions.Builder> storeServer = NOTHING;
        private Consumer<? super CopyEngineOptions.Builder> copyEngine = NOTHING;
        private ThreadFactory threadFactory = NamedThreadFactory.daemon("memfabric-bm");

        private Builder() {
        }

        /**
         * @param timeout how long join, leave and barrier wait for the other ranks, {@code > 0} (default 120 s)
         * @return this
         */
        public Builder controlOperationTimeout(Duration timeout) {
            this.controlOperationTimeout = timeout;
            return this;
        }

        /**
         * @param start whether this process may start the config store (default true)
         * @return this
         */
        public Builder startConfigStoreServer(boolean start) {
            this.startConfigStoreServer = start;
            return this;
        }

        /**
         * @param auto whether the store assigns the rank (default true)
         * @return this
         */
        public Builder autoRanking(boolean auto) {
            this.autoRanking = auto;
            return this;
        }

        /**
         * @param rank the rank to take when auto-ranking is off, {@code 0..worldSize-1} (checked by
         *             {@link BigMemory#init}), or -1 for unset
         * @return this
         */
        public Builder rankId(int rank) {
            this.rankId = rank;
            return this;
        }

        /**
         * @param id the fabric's id, 1-64 of {@code [A-Za-z0-9_.]} (default {@value #FABRIC_ID_DEFAULT})
         * @return this
         */
        public Builder fabricId(String id) {
            this.fabricId = id;
            return this;
        }

        /**
         * @param customizer applied to {@code StoreClientOptions.builder(url)} of every store client a BigMemory
         *                   opens, e.g. {@code b -> b.heartbeatPeriod(Duration.ofMillis(500))}
         * @return this
         */
        public Builder storeClient(Consumer<? super StoreClientOptions.Builder> customizer) {
            this.storeClient = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * @param customizer applied to the options of a store this process starts, after its listen address is set
         * @return this
         */
        public Builder storeServer(Consumer<? super StoreServerOptions.Builder> customizer) {
            this.storeServer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * @param customizer applied to the copy engine options of every {@link BigMemorySpace}, e.g.
         *                   {@code b -> b.forceRoute(Route.TCP)} or {@code b -> b.routes(List.of(Route.CMA,
         *                   Route.TCP))}; checked by {@link #build()}
         * @return this
         */
        public Builder copyEngine(Consumer<? super CopyEngineOptions.Builder> customizer) {
            this.copyEngine = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * @param factory makes every thread of a BigMemory (group engine, copy engine, callbacks)
         * @return this
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * @return the options
         * @throws ConfigurationException {@code INVALID_PARAM} naming the first bad value
         */
        public BigMemoryOptions build() {
            Config.requirePositive("controlOperationTimeout", controlOperationTimeout);
            Config.requireRange("rankId", rankId, -1, BigMemory.MAX_WORLD_SIZE - 1);
            if (!autoRanking && rankId < 0) {
                throw new ConfigurationException("rankId=" + rankId + " with autoRanking=false (expected: a rank "
                        + "0.." + (BigMemory.MAX_WORLD_SIZE - 1) + ", or autoRanking=true)");
            }
            if (fabricId == null || !FABRIC_ID.matcher(fabricId).matches()) {
                throw new ConfigurationException("fabricId='" + fabricId + "' (expected: 1-64 of [A-Za-z0-9_.])");
            }
            BigMemoryOptions options = new BigMemoryOptions(this);
            options.copyEngineOptions(); // Fails here, naming the bad value, rather than at create.
            return options;
        }
    }
}
