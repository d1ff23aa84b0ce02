package io.memfabric.memory;

import io.memfabric.common.NamedThreadFactory;
import io.memfabric.error.ConfigurationException;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * How shared-memory slots are made on this host.
 *
 * <p>Thread safety: immutable.
 *
 * @param directory       where slot files live ({@link MemoryConfig#SHM_DIR_PROP}); every rank of the host must
 *                        use the same one
 * @param populateThreads most threads that populate a new slot at once, the creating thread included
 *                        ({@link MemoryConfig#POPULATE_THREADS_PROP})
 * @param threadFactory   makes the helper threads of population; they live only while a slot is created
 */
public record ShmOptions(Path directory, int populateThreads, ThreadFactory threadFactory) {
    /** Checks the values. */
    public ShmOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(threadFactory, "threadFactory");
        if (populateThreads < 1 || populateThreads > MemoryConfig.POPULATE_THREADS_MAX) {
            throw new ConfigurationException("populateThreads=" + populateThreads + " (expected: 1.."
                    + MemoryConfig.POPULATE_THREADS_MAX + ")");
        }
    }

    /** @return options from {@link MemoryConfig}: system properties, environment, defaults. */
    public static ShmOptions fromConfig() {
        return new ShmOptions(MemoryConfig.shmDir(), MemoryConfig.populateThreads(),
                NamedThreadFactory.daemon("memfabric-shm-populate"));
    }

    /** @return these options with another directory. */
    public ShmOptions withDirectory(Path newDirectory) {
        return new ShmOptions(newDirectory, populateThreads, threadFactory);
    }

    /** @return these options with another number of populate threads. */
    public ShmOptions withPopulateThreads(int threads) {
        return new ShmOptions(directory, threads, threadFactory);
    }
}
