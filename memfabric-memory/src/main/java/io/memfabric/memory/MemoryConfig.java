package io.memfabric.memory;

import io.memfabric.config.Config;

import java.nio.file.Path;

/**
 * The memory layer's settings: each a property name next to its default, read through {@link Config} (system property
 * {@code memfabric.a.b}, then environment variable {@code MEMFABRIC_A_B}, then the default).
 *
 * <p>Thread safety: stateless.
 */
public final class MemoryConfig {
    /**
     * Directory of the shared-memory files that back pool slots. Must be a tmpfs (or hugetlbfs) that every rank on
     * the host sees under the same path.
     */
    public static final String SHM_DIR_PROP = "memfabric.shm.dir";
    /** Default of {@link #SHM_DIR_PROP}: the POSIX shared-memory mount. */
    public static final String SHM_DIR_DEFAULT = "/dev/shm";

    /**
     * Most threads that populate a new slot's pages at once (the creating thread included). On this 2-core reference
     * machine two threads halve the creation time of a 1 GiB slot.
     */
    public static final String POPULATE_THREADS_PROP = "memfabric.shm.populate.threads";
    /** Default of {@link #POPULATE_THREADS_PROP}: the available processors, at most 8. */
    public static final int POPULATE_THREADS_DEFAULT = Math.min(8, Runtime.getRuntime().availableProcessors());
    /** Upper bound of {@link #POPULATE_THREADS_PROP}. */
    public static final int POPULATE_THREADS_MAX = 64;

    /**
     * Which {@link DeviceMemory} backs DEVICE slots: {@code auto} (the available provider of highest priority) or a
     * provider's name, e.g. {@code emulated}.
     */
    public static final String DEVICE_PROP = "memfabric.device";
    /** Default of {@link #DEVICE_PROP}. */
    public static final String DEVICE_DEFAULT = "auto";

    /**
     * This host's identity: ranks with equal host ids map each other's memory. Overrides
     * {@code /proc/sys/kernel/random/boot_id}, so that tests can put ranks of one machine on "different hosts".
     * Environment variable {@code MEMFABRIC_HOST_ID}.
     */
    public static final String HOST_ID_PROP = "memfabric.host.id";

    private MemoryConfig() {
    }

    /** @return the configured shared-memory directory. */
    public static Path shmDir() {
        return Path.of(Config.string(SHM_DIR_PROP, SHM_DIR_DEFAULT));
    }

    /** @return the configured number of populate threads, checked to be 1..{@link #POPULATE_THREADS_MAX}. */
    public static int populateThreads() {
        return (int) Config.requireRange(POPULATE_THREADS_PROP,
                Config.integer(POPULATE_THREADS_PROP, POPULATE_THREADS_DEFAULT), 1, POPULATE_THREADS_MAX);
    }

    /** @return the configured device provider name, or {@code auto}. */
    public static String device() {
        return Config.string(DEVICE_PROP, DEVICE_DEFAULT);
    }
}
