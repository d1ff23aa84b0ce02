package io.memfabric.store.server;

import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;

import java.time.Duration;

/**
 * What one client may cost the server: its unsent output (redis-server's {@code client-output-buffer-limit}: a hard
 * limit, and a soft limit that may be passed for a while), and before {@code AUTH} — on a server that requires it —
 * how long it may stay unauthenticated, how many such connections are kept, and how long a wrong password waits for
 * its answer. Part of {@link StoreServerOptions}; every value has a {@code *_PROP} read through {@link Config}.
 *
 * <p>Thread safety: immutable.
 */
public final class ClientLimits {
    /** A client whose unsent output passes this is disconnected at once; 0: no limit. Property {@value}. */
    public static final String OUTPUT_HARD_LIMIT_PROP = "memfabric.store.client.output.hard.limit";
    /** Twice the default value limit: one reply of the largest value always fits, with room for pushes. */
    public static final long OUTPUT_HARD_LIMIT_DEFAULT = 128L << 20;
    /** A client whose unsent output stays above this for {@link #OUTPUT_SOFT_TIME_PROP} is disconnected; 0: none. */
    public static final String OUTPUT_SOFT_LIMIT_PROP = "memfabric.store.client.output.soft.limit";
    /** The default value limit (64 MiB). */
    public static final long OUTPUT_SOFT_LIMIT_DEFAULT = 64L << 20;
    /** How long a client's output may stay above the soft limit. Property {@value}. */
    public static final String OUTPUT_SOFT_TIME_PROP = "memfabric.store.client.output.soft.time";
    /** redis-server's {@code client-output-buffer-limit pubsub} soft period (60 s). */
    public static final Duration OUTPUT_SOFT_TIME_DEFAULT = Duration.ofSeconds(60);

    /** How long a connection may stay unauthenticated (server requiring {@code AUTH}) before it is closed. */
    public static final String AUTH_TIMEOUT_PROP = "memfabric.store.auth.timeout";
    /** Ample for a handshake over any network; short enough that idle sockets do not pile up. */
    public static final Duration AUTH_TIMEOUT_DEFAULT = Duration.ofSeconds(10);
    /**
     * Unauthenticated connections kept at once; a new one beyond this closes the oldest (which is most likely an
     * idle socket: a real client authenticates within a round trip). They do not count against
     * {@code maxClients}, so idle sockets never lock authenticated clients out. Property {@value}.
     */
    public static final String MAX_UNAUTHENTICATED_PROP = "memfabric.store.max.unauthenticated.clients";
    /** The largest world size, so that a whole fabric can handshake at once. */
    public static final int MAX_UNAUTHENTICATED_DEFAULT = 1024;
    /**
     * How long the answer to a wrong {@code AUTH} is held back, per failure, per source address: failures from one
     * address are answered one such delay apart, on every connection together. Property {@value}.
     */
    public static final String AUTH_FAILURE_DELAY_PROP = "memfabric.store.auth.failure.delay";
    /** 10 guesses per second per address (10,000 guesses take 17 minutes, not 0.19 s). */
    public static final Duration AUTH_FAILURE_DELAY_DEFAULT = Duration.ofMillis(100);

    private static final Duration MAX_DURATION = Duration.ofDays(1);

    private final long outputHardLimitBytes;
    private final long outputSoftLimitBytes;
    private final Duration outputSoftTime;
    private final Duration authTimeout;
    private final int maxUnauthenticated;
    private final Duration authFailureDelay;

    private ClientLimits(Builder b) {
        this.outputHardLimitBytes = b.outputHardLimitBytes;
        this.outputSoftLimitBytes = b.outputSoftLimitBytes;
        this.outputSoftTime = b.outputSoftTime;
        this.authTimeout = b.authTimeout;
        this.maxUnauthenticated = b.maxUnauthenticated;
        this.authFailureDelay = b.authFailureDelay;
    }

    /**
     * @return a builder holding the configured values, or the defaults
     * @throws ConfigurationException when a configured value does not parse, naming it
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the configured values, or the defaults, validated. */
    public static ClientLimits defaults() {
        return builder().build();
    }

    /** @return the hard limit of a client's unsent output, bytes; 0 when there is none. */
    public long outputHardLimitBytes() {
        return outputHardLimitBytes;
    }

    /** @return the soft limit of a client's unsent output, bytes; 0 when there is none. */
    public long outputSoftLimitBytes() {
        return outputSoftLimitBytes;
    }

    /** @return how long a client's output may stay above the soft limit. */
    public Duration outputSoftTime() {
        return outputSoftTime;
    }

    /** @return how long a connection may stay unauthenticated. */
    public Duration authTimeout() {
        return authTimeout;
    }

    /** @return how many unauthenticated connections are kept at once. */
    public int maxUnauthenticated() {
        return maxUnauthenticated;
    }

    /** @return the delay of a wrong {@code AUTH}'s answer, per failure and source address. */
    public Duration authFailureDelay() {
        return authFailureDelay;
    }

    @Override
    public String toString() {
        return "ClientLimits{outputHardLimitBytes=" + outputHardLimitBytes + ", outputSoftLimitBytes="
                + outputSoftLimitBytes + ", outputSoftTime=" + outputSoftTime + ", authTimeout=" + authTimeout
                + ", maxUnauthenticated=" + maxUnauthenticated + ", authFailureDelay=" + authFailureDelay + "}";
    }

    /**
     * Builds {@link ClientLimits}, starting from the configured values.
     *
     * <p>Thread safety: not thread safe; use from one thread.
     */
    public static final class Builder {
        private long outputHardLimitBytes = Config.size(OUTPUT_HARD_LIMIT_PROP, OUTPUT_HARD_LIMIT_DEFAULT);
        private long outputSoftLimitBytes = Config.size(OUTPUT_SOFT_LIMIT_PROP, OUTPUT_SOFT_LIMIT_DEFAULT);
        private Duration outputSoftTime = Config.duration(OUTPUT_SOFT_TIME_PROP, OUTPUT_SOFT_TIME_DEFAULT);
        private Duration authTimeout = Config.duration(AUTH_TIMEOUT_PROP, AUTH_TIMEOUT_DEFAULT);
        private int maxUnauthenticated = Config.integer(MAX_UNAUTHENTICATED_PROP, MAX_UNAUTHENTICATED_DEFAULT);
        private Duration authFailureDelay = Config.duration(AUTH_FAILURE_DELAY_PROP, AUTH_FAILURE_DELAY_DEFAULT);

        private Builder() {
        }

        /** Hard limit of a client's unsent output, bytes; 0 for none (default 128 MiB). */
        public Builder outputHardLimitBytes(long bytes) {
            this.outputHardLimitBytes = bytes;
            return this;
        }

        /** Soft limit of a client's unsent output, bytes, and how long it may be passed; 0 bytes for none. */
        public Builder outputSoftLimit(long bytes, Duration time) {
            this.outputSoftLimitBytes = bytes;
            this.outputSoftTime = time;
            return this;
        }

        /** How long a connection may stay unauthenticated (default 10 s). */
        public Builder authTimeout(Duration timeout) {
            this.authTimeout = timeout;
            return this;
        }

        /** Unauthenticated connections kept at once (default {@value #MAX_UNAUTHENTICATED_DEFAULT}). */
        public Builder maxUnauthenticated(int count) {
            this.maxUnauthenticated = count;
            return this;
        }

        /** Delay of a wrong {@code AUTH}'s answer per failure and source address (default 100 ms; zero: none). */
        public Builder authFailureDelay(Duration delay) {
            this.authFailureDelay = delay;
            return this;
        }

        /**
         * @return the validated limits
         * @throws ConfigurationException naming the first bad value and what was expected
         */
        public ClientLimits build() {
            Config.requireRange("outputHardLimitBytes", outputHardLimitBytes, 0, Long.MAX_VALUE);
            Config.requireRange("outputSoftLimitBytes", outputSoftLimitBytes, 0, Long.MAX_VALUE);
            if (outputHardLimitBytes > 0 && outputSoftLimitBytes > outputHardLimitBytes) {
                throw new ConfigurationException("outputSoftLimitBytes=" + outputSoftLimitBytes
                        + " (expected: <= outputHardLimitBytes=" + outputHardLimitBytes + ")");
            }
            requireDuration("outputSoftTime", outputSoftTime, false);
            requireDuration("authTimeout", authTimeout, false);
            requireDuration("authFailureDelay", authFailureDelay, true);
            Config.requireRange("maxUnauthenticated", maxUnauthenticated, 1, StoreServerOptions.MAX_MAX_CLIENTS);
            return new ClientLimits(this);
        }

        private static void requireDuration(String name, Duration value, boolean zeroOk) {
            if (value == null || value.isNegative() || (!zeroOk && value.isZero())
                    || value.compareTo(MAX_DURATION) > 0) {
                throw new ConfigurationException(name + "=" + value + " (expected: " + (zeroOk ? "0" : "> 0")
                        + " .. " + MAX_DURATION + ")");
            }
        }
    }
}
