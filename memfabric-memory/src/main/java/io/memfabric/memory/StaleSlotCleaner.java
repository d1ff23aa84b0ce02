package io.memfabric.memory;

import io.memfabric.nativeio.NativeCallException;
import io.memfabric.nativeio.NativeFile;
import io.memfabric.nativeio.Processes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Removes the shared-memory files that processes left behind when they died without closing their slots
 * ({@code kill -9}, a crash). Called when a fabric starts on a host, before this process creates its own slots.
 *
 * <p>A file {@code memfabric-...-p<pid>-t<startTicks>} is removed only when <b>both</b> hold:
 * <ol>
 *   <li>its owner is gone: no process {@code pid} runs, or the process that has that pid now started at another time
 *       (the pid was reused), or it is a zombie;</li>
 *   <li>no one holds the owner's lock: an exclusive, non-blocking {@code flock} on the file succeeds. Every owner
 *       holds that lock from creation to close, and the kernel drops it when the owner dies. This guards against a
 *       wrong verdict of rule 1, e.g. an owner in another pid namespace that shares {@code /dev/shm} (a container with
 *       {@code --ipc=host}), whose pid means nothing here.</li>
 * </ol>
 * Files of live processes are therefore never removed. Names that do not end in {@code -p<pid>-t<startTicks>}, other
 * users' files (which cannot be opened), directories and symbolic links are left alone. A peer that still maps a
 * removed file keeps valid memory; the memory is freed when the last mapping goes.
 *
 * <p>Thread safety: stateless; concurrent cleaners (several ranks starting at once) are safe: each removal happens
 * under the lock, and a file already removed by another cleaner is skipped.
 */
public final class StaleSlotCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(StaleSlotCleaner.class);

    private StaleSlotCleaner() {
    }

    /**
     * Cleans the directory of {@link MemoryConfig#shmDir()}.
     *
     * @return the files removed
     */
    public static List<Path> clean() {
        return clean(MemoryConfig.shmDir());
    }

    /**
     * Removes the stale slot files in {@code directory}.
     *
     * @param directory a shared-memory directory, e.g. {@code /dev/shm}
     * @return the files removed, in no particular order
     * @throws UncheckedIOException when the directory cannot be listed
     */
    public static List<Path> clean(Path directory) {
        Objects.requireNonNull(directory, "directory");
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, SlotName.PREFIX + "*")) {
            for (Path file : files) {
                if (removeIfStale(file)) {
                    removed.add(file);
                }
            }
        } catch (NoSuchFileException e) {
            return removed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        return removed;
    }

    /**
     * @param file a file whose name starts with {@code memfabric-}
     * @return whether it was stale and this call removed it
     */
    static boolean removeIfStale(Path file) {
        long[] owner = SlotName.owner(file.getFileName().toString());
        if (owner == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        long pid = owner[0];
        long startTicks = owner[1];
        if (Processes.isAlive(pid, startTicks)) {
            return false;
        }
        try (NativeFile open = NativeFile.open(file)) {
            if (!open.tryLockExclusive()) {
                LOG.info("kept {}: pid {} looks gone, but its lock is held (an owner in another pid namespace?)",
                        file, pid);
                return false;
            }
            // Removed under the lock: a concurrent cleaner either failed to lock or finds the name gone.
            boolean deleted = Files.deleteIfExists(file);
            if (deleted) {
                LOG.info("removed stale slot file {} (owner pid {} started at tick {} is gone)", file, pid,
                        startTicks);
            }
            return deleted;
        } catch (NativeCallException e) {
            // ENOENT: removed meanwhile by its owner or another cleaner. EACCES: another user's file. Either way, not
            // ours to remove.
            LOG.debug("skipped {}: {}", file, e.getMessage());
            return false;
        } catch (IOException e) {
            LOG.warn("could not remove stale slot file {}: {}", file, e.toString());
            return false;
        }
    }
}
