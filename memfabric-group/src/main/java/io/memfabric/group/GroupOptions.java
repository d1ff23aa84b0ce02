package io.memfabric.group;

import io.memfabric.common.NamedThreadFactory;
import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Pattern;

/**
 * Settings of one {@link GroupEngine}. Each field starts from its system property, then its environment variable
 * (upper case, dots become underscores: {@code memfabric.group.name} is {@code MEMFABRIC_GROUP_NAME}), then the
 * documented default; a builder call overrides all three. {@link Builder#build()} checks every value.
 *
 * <p>Thread safety: immutable; one instance may serve many engines.
 */
public final class GroupOptions {
    /** Largest world size (DESIGN §1; upstream's BM limit). */
    public static final int MAX_WORLD_SIZE = 1024;

    /** The group's name: letters, digits, {@code . _ -}, at most 64 characters. Property {@value}. */
    public static final String NAME_PROP = "memfabric.group.name";
    /** Default group name: {@value}. */
    public static final String NAME_DEFAULT = "world";

    /**
     * The key prefix (and rank namespace) of the group in the store: 1..512 of {@code [A-Za-z0-9._/:@-]} (no glob
     * characters, as the engine lists its own keys). Property {@value}; when unset, {@code mf/group/<name>/}.
     */
    public static final String NAMESPACE_PROP = "memfabric.group.namespace";

    /** Ranks are {@code 0..worldSize-1}. Property {@value}. */
    public static final String WORLD_SIZE_PROP = "memfabric.group.world.size";
    /** Default world size: {@value} (the largest). */
    public static final int WORLD_SIZE_DEFAULT = MAX_WORLD_SIZE;

    /** The rank to take, or -1 to have the store assign the lowest free one. Property {@value}. */
    public static final String RANK_PROP = "memfabric.group.rank";
    /** Default rank: {@value} (assigned by the store). */
    public static final int RANK_DEFAULT = -1;

    /**
     * How long a collective (barrier, allgather, join, leave) may wait for the other members (upstream
     * {@code controlOperationTimeout}). Property {@value}.
     */
    public static final String OPERATION_TIMEOUT_PROP = "memfabric.group.operation.timeout";
    /** Default operation timeout: 120 s, as upstream. */
    public static final Duration OPERATION_TIMEOUT_DEFAULT = Duration.ofSeconds(120);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._/:@-]{1,512}");

    private final String name;
    private final String namespace;
    private final int worldSize;
    private final int rank;
    private final Duration operationTimeout;
    private final ThreadFactory threadFactory;

    private GroupOptions(Builder b, String namespace) {
        this.name = b.name;
        this.namespace = namespace;
        this.worldSize = b.worldSize;
        this.rank = b.rank;
        this.operationTimeout = b.operationTimeout;
        this.threadFactory = b.threadFactory;
    }

    /** @return a builder pre-filled from system properties, environment variables and defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the group's name; it appears in thread names, store identities and error messages. */
    public String name() {
        return name;
    }

    /** @return the key prefix of the group in the store, also its rank namespace; ends with {@code /}. */
    public String namespace() {
        return namespace;
    }

    /** @return the world size: ranks are {@code 0..worldSize-1}. */
    public int worldSize() {
        return worldSize;
    }

    /** @return the rank to take, or -1 for one assigned by the store. */
    public int rank() {
        return rank;
    }

    /** @return how long a collective waits for the other members. */
    public Duration operationTimeout() {
        return operationTimeout;
    }

    /**
     * @return the factory of the engine's threads; the engine renames each thread it makes to
     *         {@code memfabric-<group>-r<rank>-<role>}
     */
    public ThreadFactory threadFactory() {
        return threadFactory;
    }

    @Override
    public String toString() {
        return "GroupOptions{name=" + name + ", namespace=" + namespace + ", worldSize=" + worldSize + ", rank=" + rank
                + ", operationTimeout=" + operationTimeout + "}";
    }

    /**
     * Builds {@link GroupOptions}.
     *
     * <p>Thread safety: not thread safe; use from one thread.
     */
    public static final class Builder {
        private String name = Config.string(NAME_PROP, NAME_DEFAULT);
        private String namespace = Config.string(NAMESPACE_PROP, null);
        private int worldSize = Config.integer(WORLD_SIZE_PROP, WORLD_SIZE_DEFAULT);
        private int rank = Config.integer(RANK_PROP, RANK_DEFAULT);
        private Duration operationTimeout = Config.duration(OPERATION_TIMEOUT_PROP, OPERATION_TIMEOUT_DEFAULT);
        private ThreadFactory threadFactory = NamedThreadFactory.daemon("memfabric-group");

        private Builder() {
        }

        /** @param name the group's name (see {@link #NAME_PROP}) */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** @param namespace the key prefix; {@code null} derives {@code mf/group/<name>/} */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** @param worldSize 1..{@value GroupOptions#MAX_WORLD_SIZE} */
        public Builder worldSize(int worldSize) {
            this.worldSize = worldSize;
            return this;
        }

        /** @param rank 0..worldSize-1, or -1 for one assigned by the store */
        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        /** @param timeout how long a collective waits, {@code > 0} */
        public Builder operationTimeout(Duration timeout) {
            this.operationTimeout = timeout;
            return this;
        }

        /** @param threadFactory the factory of the engine's threads */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = threadFactory;
            return this;
        }

        /**
         * @return the options
         * @throws ConfigurationException naming the first bad value
         */
        public GroupOptions build() {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new ConfigurationException("name='" + name + "' (expected: 1..64 of [A-Za-z0-9._-])");
            }
            String ns = namespace == null ? "mf/group/" + name + "/" : namespace;
            if (!NAMESPACE.matcher(ns).matches()) {
                throw new ConfigurationException("namespace='" + ns + "' (expected: 1..512 of [A-Za-z0-9._/:@-]; "
                        + "no blanks or glob characters)");
            }
            Config.requireRange("worldSize", worldSize, 1, MAX_WORLD_SIZE);
            Config.requireRange("rank", rank, -1, worldSize - 1L);
            Config.requirePositive("operationTimeout", operationTimeout);
            Objects.requireNonNull(threadFactory, "threadFactory");
            return new GroupOptions(this, ns);
        }
    }
}
