package io.memfabric.bm;

import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryType;

/**
 * Settings of {@link BigMemory#create}: how much memory this rank contributes to the pool and how much address space
 * every rank's slot spans (upstream's {@code smem_bm_create_option_t}, upstream-api §2.3). Each field starts from its
 * system property, then its environment variable ({@value #LOCAL_HOST_SIZE_PROP} is
 * {@code MEMFABRIC_BM_LOCAL_HOST_SIZE}; sizes take {@code k/m/g/t} suffixes), then the documented default; a builder
 * call overrides all three.
 *
 * <p>Rules (upstream's, checked by {@link Builder#build()}): {@code localHostSize <= 2 TiB},
 * {@code localDeviceSize <= 64 GiB}, {@code maxHostSize >= localHostSize}, {@code maxDeviceSize >= localDeviceSize},
 * not both max sizes 0, and each max size at most {@link AddressSpace#MAX_STRIDE_BYTES} (256 TiB). A max size left
 * unset equals the local size (as upstream's {@code smem_bm_create}). The max sizes (strides) must be the same on
 * every rank of one BigMemory object, since every process computes the same addresses; {@link BigMemorySpace#join()}
 * refuses a rank whose strides differ. Local sizes may differ between ranks; 0 means the rank contributes no memory of
 * that type.
 *
 * <p>Thread safety: immutable.
 */
public final class CreateOptions {
    /** Host memory this rank contributes, bytes (upstream {@code localDRAMSize}). Property {@value}. */
    public static final String LOCAL_HOST_SIZE_PROP = "memfabric.bm.local.host.size";
    /** Default: 64 MiB. */
    public static final long LOCAL_HOST_SIZE_DEFAULT = 64L << 20;
    /** Device memory this rank contributes, bytes (upstream {@code localHBMSize}). Property {@value}. */
    public static final String LOCAL_DEVICE_SIZE_PROP = "memfabric.bm.local.device.size";
    /** Default: 64 MiB. */
    public static final long LOCAL_DEVICE_SIZE_DEFAULT = 64L << 20;
    /** Address space of every rank's HOST slot, bytes (upstream {@code maxDramSize}). Property {@value}. */
    public static final String MAX_HOST_SIZE_PROP = "memfabric.bm.max.host.size";
    /** Address space of every rank's DEVICE slot, bytes (upstream {@code maxHbmSize}). Property {@value}. */
    public static final String MAX_DEVICE_SIZE_PROP = "memfabric.bm.max.device.size";
    /** Default of the max sizes: {@value}, meaning "equal to the local size". */
    public static final long MAX_SIZE_DEFAULT = -1;

    /** Largest {@code localHostSize}: 2 TiB (upstream). */
    public static final long MAX_LOCAL_HOST_SIZE = 2L << 40;
    /** Largest {@code localDeviceSize}: 64 GiB (upstream). */
    public static final long MAX_LOCAL_DEVICE_SIZE = 64L << 30;

    private final long localHostSize;
    private final long localDeviceSize;
    private final long maxHostSize;
    private final long maxDeviceSize;

    private CreateOptions(long localHostSize, long localDeviceSize, long maxHostSize, long maxDeviceSize) {
        this.localHostSize = localHostSize;
        this.localDeviceSize = localDeviceSize;
        this.maxHostSize = maxHostSize;
        this.maxDeviceSize = maxDeviceSize;
    }

    /** @return a builder pre-filled from system properties, environment variables and defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Upstream's {@code smem_bm_create}: max sizes equal to the local sizes.
     *
     * @param localHostSize   host bytes this rank contributes
     * @param localDeviceSize device bytes this rank contributes
     * @return the options
     * @throws ConfigurationException as {@link Builder#build()}
     */
    public static CreateOptions of(long localHostSize, long localDeviceSize) {
        return builder().localHostSize(localHostSize).localDeviceSize(localDeviceSize).maxHostSize(MAX_SIZE_DEFAULT)
                .maxDeviceSize(MAX_SIZE_DEFAULT).build();
    }

    /** @return host bytes this rank contributes (its HOST slot's backed size). */
    public long localHostSize() {
        return localHostSize;
    }

    /** @return device bytes this rank contributes (its DEVICE slot's backed size). */
    public long localDeviceSize() {
        return localDeviceSize;
    }

    /** @return the HOST stride: address space of every rank's HOST slot, bytes. */
    public long maxHostSize() {
        return maxHostSize;
    }

    /** @return the DEVICE stride: address space of every rank's DEVICE slot, bytes. */
    public long maxDeviceSize() {
        return maxDeviceSize;
    }

    /**
     * @param type HOST or DEVICE
     * @return the local size of {@code type}
     */
    public long localSize(MemoryType type) {
        return type == MemoryType.HOST ? localHostSize : localDeviceSize;
    }

    /**
     * @param type HOST or DEVICE
     * @return the stride of {@code type}
     */
    public long maxSize(MemoryType type) {
        return type == MemoryType.HOST ? maxHostSize : maxDeviceSize;
    }

    @Override
    public String toString() {
        return "CreateOptions{localHostSize=" + localHostSize + ", localDeviceSize=" + localDeviceSize
                + ", maxHostSize=" + maxHostSize + ", maxDeviceSize=" + maxDeviceSize + "}";
    }

    /**
     * Builds {@link CreateOptions}.
     *
     * <p>Thread safety: not thread safe; use from one thread.
     */
    public static final class Builder {
        private long localHostSize = Config.size(LOCAL_HOST_SIZE_PROP, LOCAL_HOST_SIZE_DEFAULT);
        private long localDeviceSize = Config.size(LOCAL_DEVICE_SIZE_PROP, LOCAL_DEVICE_SIZE_DEFAULT);
        private long maxHostSize = sizeOrUnset(MAX_HOST_SIZE_PROP);
        private long maxDeviceSize = sizeOrUnset(MAX_DEVICE_SIZE_PROP);

        private Builder() {
        }

        private static long sizeOrUnset(String key) {
            return Config.raw(key).value() == null ? MAX_SIZE_DEFAULT : Config.size(key, MAX_SIZE_DEFAULT);
        }

        /**
         * @param bytes host bytes this rank contributes, {@code 0..2 TiB} (default 64 MiB)
         * @return this
         */
        public Builder localHostSize(long bytes) {
            this.localHostSize = bytes;
            return this;
        }

        /**
         * @param bytes device bytes this rank contributes, {@code 0..64 GiB} (default 64 MiB)
         * @return this
         */
        public Builder localDeviceSize(long bytes) {
            this.localDeviceSize = bytes;
            return this;
        }

        /**
         * @param bytes the HOST stride, {@code >= localHostSize}, or -1 for "equal to localHostSize" (the default)
         * @return this
         */
        public Builder maxHostSize(long bytes) {
            this.maxHostSize = bytes;
            return this;
        }

        /**
         * @param bytes the DEVICE stride, {@code >= localDeviceSize}, or -1 for "equal to localDeviceSize" (the
         *              default)
         * @return this
         */
        public Builder maxDeviceSize(long bytes) {
            this.maxDeviceSize = bytes;
            return this;
        }

        /**
         * @return the options
         * @throws ConfigurationException {@code INVALID_PARAM} naming the first bad value
         */
        public CreateOptions build() {
            Config.requireRange("localHostSize", localHostSize, 0, MAX_LOCAL_HOST_SIZE);
            Config.requireRange("localDeviceSize", localDeviceSize, 0, MAX_LOCAL_DEVICE_SIZE);
            long maxHost = maxHostSize == MAX_SIZE_DEFAULT ? localHostSize : maxHostSize;
            long maxDevice = maxDeviceSize == MAX_SIZE_DEFAULT ? localDeviceSize : maxDeviceSize;
            if (maxHost < localHostSize) {
                throw new ConfigurationException("maxHostSize=" + maxHostSize + " (expected: >= localHostSize="
                        + localHostSize + ")");
            }
            if (maxDevice < localDeviceSize) {
                throw new ConfigurationException("maxDeviceSize=" + maxDeviceSize + " (expected: >= localDeviceSize="
                        + localDeviceSize + ")");
            }
            Config.requireRange("maxHostSize", maxHost, 0, AddressSpace.MAX_STRIDE_BYTES);
            Config.requireRange("maxDeviceSize", maxDevice, 0, AddressSpace.MAX_STRIDE_BYTES);
            if (maxHost == 0 && maxDevice == 0) {
                throw new ConfigurationException("maxHostSize=0 and maxDeviceSize=0 (expected: at least one > 0)");
            }
            return new CreateOptions(localHostSize, localDeviceSize, maxHost, maxDevice);
        }
    }
}
