package io.memfabric.memory;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.CloseOnce;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.nativeio.NativeFile;
import io.memfabric.nativeio.NativeMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A slot of pool memory in a shared-memory file, mapped into this process: either this rank's own slot
 * ({@link #create}: the owner) or a same-host peer's ({@link #open}: a mapper).
 *
 * <p><b>Creation</b> makes {@code <dir>/memfabric-<fabric>-<object>-r<rank>-<type>-p<pid>-t<startTicks>} (mode
 * {@code 0600}, {@code O_EXCL}), takes an exclusive {@code flock} on it that lasts as long as the owner lives (proof of
 * life for {@link StaleSlotCleaner}), sizes it, maps it shared and populates every page before returning, so that no
 * first-touch page fault (about 1 s per GiB here) ever lands on the data path. Population runs on up to
 * {@link ShmOptions#populateThreads()} threads with {@code MADV_POPULATE_WRITE}, which also reports a full
 * {@code /dev/shm} as an error here instead of a {@code SIGBUS} later; kernels before 5.14 get {@code MAP_POPULATE}.
 * See {@code docs/memory-slots.md}.
 *
 * <p><b>Opening</b> maps an existing peer file read/write by name, after checking that the file is at least as long as
 * the mapping (a mapping past the end of a file faults on access), and populates the page tables too.
 *
 * <p><b>Lifetime</b>: the mapping belongs to a shared {@link Arena} owned by this object, open from creation to
 * {@link #close()}. Closing is idempotent (a CAS); an owner's close unmaps, deletes the file and releases its lock; a
 * mapper's close only unmaps. A peer that still maps a deleted file keeps valid memory until it unmaps. If creation
 * fails halfway, everything acquired so far is released (mapping, file, descriptor) before the failure is rethrown.
 * An owner's file that is still there when the JVM shuts down (SIGINT, SIGTERM, {@code System.exit}) is deleted by a
 * shutdown hook ({@link OwnedSlotFiles}); after a SIGKILL, {@link StaleSlotCleaner} removes it at the next start.
 *
 * <p>Thread safety: {@link #segment()} may be read and written from any thread (the segment's arena is shared);
 * {@link #close()} must not race with accesses (see {@link MemoryRegion}).
 */
public final class ShmSlot implements MemoryRegion {
    private static final Logger LOG = LoggerFactory.getLogger(ShmSlot.class);

    private final SlotDescriptor descriptor;
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    /** The owner's descriptor, held open for the lock; {@code null} for a mapper. */
    private final NativeFile ownerFile;
    private final CloseOnce closed = new CloseOnce();

    private ShmSlot(SlotDescriptor descriptor, Path path, Arena arena, MemorySegment segment, NativeFile ownerFile) {
        this.descriptor = descriptor;
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.ownerFile = ownerFile;
    }

    /**
     * Creates this process's slot with options from {@link MemoryConfig}.
     *
     * @see #create(String, String, int, MemoryType, long, ShmOptions)
     */
    public static ShmSlot create(String fabricId, String objectId, int rank, MemoryType type, long sizeBytes) {
        return create(fabricId, objectId, rank, type, sizeBytes, ShmOptions.fromConfig());
    }

    /**
     * Creates, sizes, maps and populates this process's slot.
     *
     * @param fabricId  the fabric's id, 1-64 of {@code [A-Za-z0-9_.]}
     * @param objectId  the pool object's id in the fabric, 1-64 of {@code [A-Za-z0-9_.]}
     * @param rank      this process's rank, 0..1023
     * @param type      the memory type
     * @param sizeBytes the slot's backed size, at least 1 (any size: the mapping's last page is partly unused when it
     *                  is not a multiple of the page size)
     * @param options   where and how
     * @return the slot; the caller owns it and closes it
     * @throws ConfigurationException for a bad argument, naming it
     * @throws MemFabricException     ({@link io.memfabric.nativeio.NativeCallException}) when a system call fails,
     *                                naming the call, its arguments and the errno: {@code DUPLICATED_OBJECT} when the
     *                                file exists, {@code MALLOC_FAILED} when memory or {@code /dev/shm} is exhausted
     */
    public static ShmSlot create(String fabricId, String objectId, int rank, MemoryType type, long sizeBytes,
                                 ShmOptions options) {
        return create(fabricId, objectId, rank, type, sizeBytes, options, true);
    }

    /**
     * Creates a sparse slot: the file is sized and mapped but no page is populated; pages come into being where the
     * owner writes or populates them (a pool that allocates from it, {@link ShmPool}). Its descriptor's backing is
     * {@link SlotDescriptor#SHM_LAZY_BACKING}, so that mappers do not populate it either.
     *
     * @see #create(String, String, int, MemoryType, long, ShmOptions)
     */
    public static ShmSlot createSparse(String fabricId, String objectId, int rank, MemoryType type, long sizeBytes,
                                       ShmOptions options) {
        return create(fabricId, objectId, rank, type, sizeBytes, options, false);
    }

    private static ShmSlot create(String fabricId, String objectId, int rank, MemoryType type, long sizeBytes,
                                  ShmOptions options, boolean populate) {
        Objects.requireNonNull(options, "options");
        if (sizeBytes <= 0) {
            throw new ConfigurationException("sizeBytes=" + sizeBytes + " (expected: > 0)");
        }
        SlotName name = SlotName.forCurrentProcess(fabricId, objectId, rank, type);
        Path path = options.directory().resolve(name.fileName());
        String backing = populate ? SlotDescriptor.SHM_BACKING : SlotDescriptor.SHM_LAZY_BACKING;
        SlotDescriptor descriptor = new SlotDescriptor(backing, name.fileName(), sizeBytes, type, rank, name.pid(),
                HostId.current());
        long startNs = System.nanoTime();
        NativeFile file = null;
        Arena arena = null;
        try {
            file = NativeFile.create(path);
            // From here on a JVM shutdown deletes the file, also while the slot is still being populated.
            OwnedSlotFiles.register(path);
            if (!file.tryLockExclusive()) {
                throw new MemFabricException(ErrorCode.RESOURCE_IN_USE, "new slot file " + path
                        + " is locked by another process");
            }
            file.setSize(sizeBytes);
            arena = Arena.ofShared();
            MemorySegment segment = file.map(sizeBytes, arena, false);
            NativeMemory.adviseHugePages(segment);
            if (populate && !NativeMemory.populate(segment, options.populateThreads(), options.threadFactory())) {
                // Kernel before 5.14: no MADV_POPULATE_WRITE. Map again with MAP_POPULATE (single-threaded, and the
                // kernel ignores population failures, so a full /dev/shm surfaces as SIGBUS on access).
                arena.close();
                arena = Arena.ofShared();
                segment = file.map(sizeBytes, arena, true);
            }
            ShmSlot slot = new ShmSlot(descriptor, path, arena, segment, file);
            if (LOG.isDebugEnabled()) {
                LOG.debug("created slot {} of {} bytes in {} ms", path, sizeBytes,
                        (System.nanoTime() - startNs) / 1_000_000);
            }
            return slot;
        } catch (RuntimeException | Error e) {
            CloseHelper.quietClose(arena);
            if (file != null) {
                CloseHelper.quietClose(() -> Files.deleteIfExists(path));
                OwnedSlotFiles.unregister(path);
            }
            CloseHelper.quietClose(file);
            throw e;
        }
    }

    /**
     * Maps a peer's slot from its descriptor, with options from {@link MemoryConfig}.
     *
     * @see #open(SlotDescriptor, ShmOptions)
     */
    public static ShmSlot open(SlotDescriptor descriptor) {
        return open(descriptor, ShmOptions.fromConfig());
    }

    /**
     * Maps a same-host peer's slot from its descriptor.
     *
     * @param descriptor the peer's descriptor, with backing {@code shm} and this host's id
     * @param options    where the files are
     * @return the mapping; the caller closes it (which only unmaps)
     * @throws ConfigurationException when the descriptor is not of a shm slot on this host
     * @throws MemFabricException     as for {@link #open(String, long, ShmOptions)}
     */
    public static ShmSlot open(SlotDescriptor descriptor, ShmOptions options) {
        Objects.requireNonNull(descriptor, "descriptor");
        if (!descriptor.isSharedMemory()) {
            throw new ConfigurationException("descriptor backing=" + descriptor.backing() + " (expected: "
                    + SlotDescriptor.SHM_BACKING + " or " + SlotDescriptor.SHM_LAZY_BACKING + ")");
        }
        String here = HostId.current();
        if (!here.equals(descriptor.hostId())) {
            throw new ConfigurationException("slot " + descriptor.name() + " is on host " + descriptor.hostId()
                    + ", not on this host " + here + ": it cannot be mapped here");
        }
        SlotName name = parseName(descriptor.name());
        if (name.rank() != descriptor.rank() || name.type() != descriptor.type() || name.pid() != descriptor.pid()) {
            throw new ConfigurationException("descriptor rank=" + descriptor.rank() + " type=" + descriptor.type()
                    + " pid=" + descriptor.pid() + " does not match its name " + descriptor.name());
        }
        return map(descriptor, options);
    }

    /**
     * Maps an existing slot file by name, with options from {@link MemoryConfig}.
     *
     * @see #open(String, long, ShmOptions)
     */
    public static ShmSlot open(String name, long sizeBytes) {
        return open(name, sizeBytes, ShmOptions.fromConfig());
    }

    /**
     * Maps an existing slot file by name, read/write, without creating it.
     *
     * @param name      the file's name in the shared-memory directory (no {@code /}), a memfabric slot name
     * @param sizeBytes how much of it to map, at least 1; the file must be at least this long
     * @param options   where the files are
     * @return the mapping; the caller closes it (which only unmaps)
     * @throws ConfigurationException for a bad name or size
     * @throws MemFabricException     {@code OBJECT_NOT_EXISTS} naming the path when the file is missing;
     *                                {@code INVALID_PARAM} when it is shorter than {@code sizeBytes}; other
     *                                system-call failures naming the call
     */
    public static ShmSlot open(String name, long sizeBytes, ShmOptions options) {
        Objects.requireNonNull(options, "options");
        SlotName parsed = parseName(name);
        if (sizeBytes <= 0) {
            throw new ConfigurationException("sizeBytes=" + sizeBytes + " (expected: > 0)");
        }
        SlotDescriptor descriptor = new SlotDescriptor(SlotDescriptor.SHM_BACKING, name, sizeBytes, parsed.type(),
                parsed.rank(), parsed.pid(), HostId.current());
        return map(descriptor, options);
    }

    private static SlotName parseName(String name) {
        SlotName parsed = name == null ? null : SlotName.parse(name);
        if (parsed == null) {
            throw new ConfigurationException("name=" + name + " (expected: a slot file name "
                    + "memfabric-<fabric>-<object>-r<rank>-<host|device>-p<pid>-t<startTicks>, without '/')");
        }
        return parsed;
    }

    private static ShmSlot map(SlotDescriptor descriptor, ShmOptions options) {
        Path path = options.directory().resolve(descriptor.name());
        long sizeBytes = descriptor.sizeBytes();
        Arena arena = null;
        try (NativeFile file = NativeFile.open(path)) {
            long fileBytes = file.size();
            if (fileBytes < sizeBytes) {
                throw new MemFabricException(ErrorCode.INVALID_PARAM, "slot file " + path + " holds " + fileBytes
                        + " bytes, fewer than the " + sizeBytes + " to map (access past its end would fault)");
            }
            arena = Arena.ofShared();
            MemorySegment segment = file.map(sizeBytes, arena, false);
            NativeMemory.adviseHugePages(segment);
            if (descriptor.populateOnMap()
                    && !NativeMemory.populate(segment, options.populateThreads(), options.threadFactory())) {
                arena.close();
                arena = Arena.ofShared();
                segment = file.map(sizeBytes, arena, true);
            }
            // The descriptor is closed here; the mapping outlives it (mmap(2)).
            return new ShmSlot(descriptor, path, arena, segment, null);
        } catch (RuntimeException | Error e) {
            CloseHelper.quietClose(arena);
            throw e;
        }
    }

    @Override
    public MemorySegment segment() {
        if (closed.isClosed()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "ShmSlot " + path + " is closed");
        }
        return segment;
    }

    @Override
    public SlotDescriptor descriptor() {
        return descriptor;
    }

    /** @return the file's path. */
    public Path path() {
        return path;
    }

    /** @return the file's name in the shared-memory directory. */
    public String name() {
        return descriptor.name();
    }

    /** @return the mapped size in bytes. */
    public long sizeBytes() {
        return descriptor.sizeBytes();
    }

    /** @return the slot's memory type. */
    public MemoryType type() {
        return descriptor.type();
    }

    /** @return the owner's rank. */
    public int rank() {
        return descriptor.rank();
    }

    @Override
    public boolean isOwner() {
        return ownerFile != null;
    }

    @Override
    public boolean isClosed() {
        return closed.isClosed();
    }

    /**
     * Unmaps; an owner also deletes the file and releases its lock. Idempotent. Every step runs even if one fails; the
     * first failure is thrown with the others suppressed.
     */
    @Override
    public void close() {
        if (closed.begin()) {
            if (ownerFile != null) {
                CloseHelper.closeAll(arena::close, this::deleteFile, ownerFile::close);
            } else {
                arena.close();
            }
        }
    }

    private void deleteFile() throws IOException {
        try {
            Files.deleteIfExists(path);
        } finally {
            OwnedSlotFiles.unregister(path);
        }
    }

    @Override
    public String toString() {
        return "ShmSlot{" + path + ", " + descriptor.sizeBytes() + " bytes, " + (isOwner() ? "owner" : "mapped")
                + (closed.isClosed() ? ", closed" : "") + "}";
    }
}
