package io.memfabric.nativeio;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An open file descriptor on a shared-memory file, with the few operations a pool slot needs: exclusive creation, an
 * advisory lock that marks the owner as alive, sizing, and a shared read/write mapping whose lifetime is an
 * {@link Arena}'s.
 *
 * <p>Files are opened with {@code O_CLOEXEC} (a spawned process never inherits the descriptor, and so never the lock)
 * and {@code O_NOFOLLOW} (a symbolic link planted under the expected name is refused, not followed).
 *
 * <p>Thread safety: the descriptor may be used from any thread; {@link #close()} is idempotent and must not race with
 * other calls on this object. Owned by its creator, who closes it.
 */
public final class NativeFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NativeFile.class);

    private final Path path;
    private final int fd;
    private final CloseOnce closed = new CloseOnce();

    private NativeFile(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Creates a new file readable and writable by this user only ({@code 0600}); fails if the name exists.
     *
     * @param path the file to create
     * @return the open file; the caller closes it
     * @throws NativeCallException {@code EEXIST} ({@link ErrorCode#DUPLICATED_OBJECT}) when the name exists, or any
     *                             other {@code open(2)} failure, naming the path
     */
    public static NativeFile create(Path path) {
        Objects.requireNonNull(path, "path");
        int flags = Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC | Libc.O_NOFOLLOW;
        return new NativeFile(path, Libc.open(path, flags, 0600));
    }

    /**
     * Opens an existing file for reading and writing; never creates one.
     *
     * @param path the file to open
     * @return the open file; the caller closes it
     * @throws NativeCallException {@code ENOENT} ({@link ErrorCode#OBJECT_NOT_EXISTS}) when it is missing, or any other
     *                             {@code open(2)} failure, naming the path
     */
    public static NativeFile open(Path path) {
        Objects.requireNonNull(path, "path");
        return new NativeFile(path, Libc.open(path, Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0));
    }

    /** @return the file's path. */
    public Path path() {
        return path;
    }

    /**
     * Tries to take an exclusive {@code flock(2)} without waiting. The lock belongs to this open file and is released
     * when it is closed or the process dies, however it dies: a held lock is proof that its owner is alive.
     *
     * @return {@code true} when taken; {@code false} when another open file holds a lock on this file
     * @throws NativeCallException on any other failure
     */
    public boolean tryLockExclusive() {
        return Libc.tryLockExclusive(fd, path);
    }

    /**
     * Sets the file's size with {@code ftruncate(2)}. On tmpfs no memory is allocated yet; pages are allocated when
     * they are first touched (see {@link NativeMemory#populateWrite}).
     *
     * @param sizeBytes the new size
     */
    public void setSize(long sizeBytes) {
        Libc.ftruncate(fd, sizeBytes, path);
    }

    /** @return the file's size in bytes. */
    public long size() {
        return Libc.sizeOf(fd, path);
    }

    /**
     * Maps the first {@code sizeBytes} of the file shared, readable and writable, at an address the kernel chooses.
     * The mapping is unmapped when {@code arena} is closed (not before: closing the file does not end the mapping).
     *
     * @param sizeBytes   the length of the mapping; the file must be at least this long, or access past its end
     *                    faults
     * @param arena       owns the mapping's lifetime
     * @param mapPopulate whether to pass {@code MAP_POPULATE} (pre-fault every page during the call; failures to
     *                    populate are silently ignored by the kernel)
     * @return a segment of {@code sizeBytes} over the mapping, bound to {@code arena}
     * @throws NativeCallException when {@code mmap(2)} fails, naming its arguments
     */
    @SuppressWarnings("restricted") // reinterpret: the size is the mapping's, which we just made
    public MemorySegment map(long sizeBytes, Arena arena, boolean mapPopulate) {
        if (sizeBytes <= 0) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "sizeBytes=" + sizeBytes + " (expected: > 0)");
        }
        int flags = Libc.MAP_SHARED | (mapPopulate ? Libc.MAP_POPULATE : 0);
        long address = Libc.mmap(sizeBytes, Libc.PROT_READ | Libc.PROT_WRITE, flags, fd, path);
        try {
            return MemorySegment.ofAddress(address).reinterpret(sizeBytes, arena, ignored -> unmap(address, sizeBytes));
        } catch (RuntimeException | Error e) {
            // The arena is already closed (or the segment could not be made): nothing will ever unmap it but us.
            unmap(address, sizeBytes);
            throw e;
        }
    }

    private static void unmap(long address, long sizeBytes) {
        try {
            Libc.munmap(address, sizeBytes);
        } catch (NativeCallException e) {
            // Runs inside Arena.close(), which has no way to report it; munmap fails only for arguments we made.
            LOG.error("could not unmap a shared mapping", e);
        }
    }

    /** Closes the descriptor (releasing any lock taken through it); a second call does nothing. */
    @Override
    public void close() {
        if (closed.begin()) {
            Libc.close(fd, path);
        }
    }

    @Override
    public String toString() {
        return "NativeFile{fd=" + fd + ", path=" + path + "}";
    }
}
