package io.memfabric.trans;

import io.memfabric.common.NamedThreadFactory;
import io.memfabric.config.Config;
import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.error.ConfigurationException;
import io.memfabric.memory.RegionTable;
import io.memfabric.store.client.StoreClientOptions;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Settings of {@link TransferEngine#open}: upstream's {@code smem_trans_config_t} where it applies, plus memfabric's
 * own. Each field starts from its system property, then its environment variable (upper case, dots become
 * underscores), then the documented default; a builder call overrides all three. {@link Builder#build()} checks every
 * value and names the bad one.
 *
 * <p>Thread safety: immutable; one instance may serve many engines.
 */
public final class TransferEngineOptions {
    /**
     * The namespace of the engines that may see each other through one store: their records live under
     * {@code trans/<namespace>/}, 1-64 of {@code [A-Za-z0-9_.]}. Property {@value}.
     */
    public static final String NAMESPACE_PROP = "memfabric.trans.namespace";
    /** Default namespace: {@value}. */
    public static final String NAMESPACE_DEFAULT = "default";

    /**
     * The most host memory {@link TransferEngine#allocate} hands out, bytes (a sparse shared-memory file: it costs
     * address space in this process and in each same-host peer, and memory only where allocated). Property {@value}.
     */
    public static final String POOL_BYTES_PROP = "memfabric.trans.pool.bytes";
    /** Default pool capacity: 4 GiB (upstream reserves 128 GiB of address space per engine). */
    public static final long POOL_BYTES_DEFAULT = 4L << 30;

    /** The most regions (registrations and allocations) an engine holds at once. Property {@value}. */
    public static final String MAX_REGIONS_PROP = "memfabric.trans.max.regions";
    /** Default: {@value}. */
    public static final int MAX_REGIONS_DEFAULT = 4096;

    /**
     * How long {@link TransferEngine#open} waits for the store, and a transfer for a peer's record (upstream
     * {@code initTimeout}, 120 retries of 1 s). Property {@value}.
     */
    public static final String OPEN_TIMEOUT_PROP = "memfabric.trans.open.timeout";
    /** Default: 120 s, as upstream. */
    public static final Duration OPEN_TIMEOUT_DEFAULT = Duration.ofSeconds(120);

    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.]{1,64}");
    private static final Consumer<Object> NOTHING = b -> { };

    private final String namespace;
    private final long poolBytes;
    private final int maxRegions;
    private final Duration openTimeout;
    private final Consumer<? super StoreClientOptions.Builder> storeClient;
    private final Consumer<? super CopyEngineOptions.Builder> copyEngine;
    private final ThreadFactory threadFactory;

    private TransferEngineOptions(Builder b) {
        this.namespace = b.namespace;
        this.poolBytes = b.poolBytes;
        this.maxRegions = b.maxRegions;
        this.openTimeout = b.openTimeout;
        this.storeClient = b.storeClient;
        this.copyEngine = b.copyEngine;
        this.threadFactory = b.threadFactory;
    }

    /** @return a builder pre-filled from system properties, environment variables and defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the configured values and defaults. */
    public static TransferEngineOptions defaults() {
        return builder().build();
    }

    /** @return the namespace (store keys under {@code trans/<namespace>/}). */
    public String namespace() {
        return namespace;
    }

    /** @return the most bytes {@link TransferEngine#allocate} hands out. */
    public long poolBytes() {
        return poolBytes;
    }

    /** @return the most regions held at once. */
    public int maxRegions() {
        return maxRegions;
    }

    /** @return how long open waits for the store, and a transfer for a peer's record. */
    public Duration openTimeout() {
        return openTimeout;
    }

    /** @return what is applied to the store client's options builder. */
    public Consumer<? super StoreClientOptions.Builder> storeClient() {
        return storeClient;
    }

    /**
     * @return what is applied to {@code CopyEngineOptions.builder()} (after its thread factory and data listen address
     *         are set: the listener binds the session's address): routes, a forced route, tcp connections, ...
     */
    public Consumer<? super CopyEngineOptions.Builder> copyEngine() {
        return copyEngine;
    }

    /** @return where the engine's threads come from. */
    public ThreadFactory threadFactory() {
        return threadFactory;
    }

    /** @return the bytes of the shared region table for {@link #maxRegions()} regions. */
    long regionTableBytes() {
        return RegionTable.bytesFor(maxRegions);
    }

    @Override
    public String toString() {
        return "TransferEngineOptions{namespace=" + namespace + ", poolBytes=" + poolBytes + ", maxRegions="
                + maxRegions + ", openTimeout=" + openTimeout + "}";
    }

    /**
     * Builds {@link TransferEngineOptions}.
     *
     * <p>Thread safety: not thread safe.
     */
    public static final class Builder {
        private String namespace = Config.string(NAMESPACE_PROP, NAMESPACE_DEFAULT);
        private long poolBytes = Config.size(POOL_BYTES_PROP, POOL_BYTES_DEFAULT);
        private int maxRegions = Config.integer(MAX_REGIONS_PROP, MAX_REGIONS_DEFAULT);
        private Duration openTimeout = Config.duration(OPEN_TIMEOUT_PROP, OPEN_TIMEOUT_DEFAULT);
        private Consumer<? super StoreClientOptions.Builder> storeClient = NOTHING;
        private Consumer<? super CopyEngineOptions.Builder> copyEngine = NOTHING;
        private ThreadFactory threadFactory = NamedThreadFactory.daemon("memfabric-trans");

        private Builder() {
        }

        /** @see TransferEngineOptions#NAMESPACE_PROP */
        public Builder namespace(String value) {
            this.namespace = value;
            return this;
        }

        /** @see TransferEngineOptions#POOL_BYTES_PROP */
        public Builder poolBytes(long bytes) {
            this.poolBytes = bytes;
            return this;
        }

        /** @see TransferEngineOptions#MAX_REGIONS_PROP */
        public Builder maxRegions(int value) {
            this.maxRegions = value;
            return this;
        }

        /** @see TransferEngineOptions#OPEN_TIMEOUT_PROP */
        public Builder openTimeout(Duration value) {
            this.openTimeout = value;
            return this;
        }

        /** Customises the store client (TLS, AUTH, timeouts, ...). */
        public Builder storeClient(Consumer<? super StoreClientOptions.Builder> customizer) {
            this.storeClient = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /** Customises the copy engine (routes, a forced route, tcp connections, ...). */
        public Builder copyEngine(Consumer<? super CopyEngineOptions.Builder> customizer) {
            this.copyEngine = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /** Where the engine's threads come from. */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * @return the options
         * @throws ConfigurationException naming the first bad value
         */
        public TransferEngineOptions build() {
            if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
                throw new ConfigurationException("namespace=" + namespace + " (expected: 1-64 of [A-Za-z0-9_.])");
            }
            Config.requireRange("poolBytes", poolBytes, 1L << 20, 1L << 44);
            if (poolBytes % 4096 != 0) {
                throw new ConfigurationException("poolBytes=" + poolBytes + " (expected: a multiple of 4096)");
            }
            Config.requireRange("maxRegions", maxRegions, 1, 1 << 16);
            Config.requirePositive("openTimeout", openTimeout);
            return new TransferEngineOptions(this);
        }
    }
}
