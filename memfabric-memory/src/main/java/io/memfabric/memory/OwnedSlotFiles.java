package io.memfabric.memory;

import io.memfabric.nativeio.Processes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The slot files this process owns and has not yet deleted, so that a JVM shutdown (SIGINT, SIGTERM,
 * {@code System.exit}) deletes them instead of leaving them in {@code /dev/shm} until the next fabric start cleans
 * them up. {@link ShmSlot#create} registers its file as soon as the file exists and {@link ShmSlot#close()}
 * unregisters it after deleting it; a peer's slot that this process only maps is never registered, and a name whose
 * {@code -p<pid>-t<ticks>} suffix is not this process's is refused, so the hook never deletes another process's file.
 * A SIGKILL runs no hook: {@link StaleSlotCleaner} removes what it leaves.
 *
 * <p>The hook deletes files only. Mappings stay valid until the process ends (unlinking a mapped file does not unmap
 * it), so threads still copying while the JVM shuts down do not fault.
 *
 * <p>Thread safety: every method from any thread. Registration happens on slot creation and close, never on a copy.
 */
final class OwnedSlotFiles {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedSlotFiles.class);
    private static final Set<Path> PATHS = ConcurrentHashMap.newKeySet();
    private static final String OWN_SUFFIX = "-p" + Processes.currentPid() + "-t" + Processes.currentStartTicks();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(OwnedSlotFiles::deleteAll,
                    "memfabric-slot-files-cleanup"));
        } catch (IllegalStateException shuttingDown) {
            // The first slot of this process is being made while the JVM shuts down: its owner's close (or the
            // stale-file cleaner of the next start) deletes it.
        }
    }

    private OwnedSlotFiles() {
    }

    /**
     * Remembers a slot file this process has just created.
     *
     * @throws IllegalArgumentException when the file name does not carry this process's pid and start time
     */
    static void register(Path path) {
        if (!path.getFileName().toString().endsWith(OWN_SUFFIX)) {
            throw new IllegalArgumentException(path + " is not a slot file of this process (expected a name ending in "
                    + OWN_SUFFIX + ")");
        }
        PATHS.add(path);
    }

    /** Forgets a slot file that its owner has deleted (or is about to delete) itself. */
    static void unregister(Path path) {
        PATHS.remove(path);
    }

    /** @return the files registered now (a copy), for tests. */
    static List<Path> registered() {
        return new ArrayList<>(PATHS);
    }

    /**
     * Deletes every registered file and forgets it: what the shutdown hook does. Failures are logged, not thrown: the
     * JVM is going down and {@link StaleSlotCleaner} is the fallback.
     *
     * @return the files deleted
     */
    static List<Path> deleteAll() {
        List<Path> deleted = new ArrayList<>();
        for (Path path : PATHS) {
            try {
                if (Files.deleteIfExists(path)) {
                    deleted.add(path);
                }
            } catch (IOException | SecurityException e) {
                LOG.warn("cannot delete slot file {} at shutdown: {}", path, e.toString());
            }
            PATHS.remove(path);
        }
        return deleted;
    }
}
