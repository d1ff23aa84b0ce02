package io.memfabric.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls memfabric needs, bound once through {@link Linker#nativeLinker()}. Every call that can fail
 * captures {@code errno} with {@code Linker.Option.captureCallState("errno")} (the runtime may overwrite the thread's
 * errno after the call returns, so reading it later would be wrong), and the wrappers turn a failure into a
 * {@link NativeCallException} that names the call, its arguments and the errno.
 *
 * <p>Pointers and {@code size_t}/{@code off_t}/{@code ssize_t} are passed as {@code long} ({@code JAVA_LONG}) where
 * the address is a plain number on our side: on the LP64 ABIs we support (Linux x86-64 and aarch64) they are passed
 * in the same registers, and no {@link MemorySegment} wrapper is made per call.
 *
 * <p>Off the hot path each wrapper allocates its capture segment and C strings in a confined arena that it closes
 * before returning. The hot-path calls ({@code process_vm_readv/writev}) are invoked by {@link CrossMemoryAttach} with
 * per-thread scratch space instead.
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
final class Libc {
    static final int O_RDWR = 0x2;
    static final int O_CREAT = 0x40;
    static final int O_EXCL = 0x80;
    static final int O_CLOEXEC = 0x80000;
    /** Differs between architectures: {@code 0400000} on x86-64, {@code 0100000} on aarch64 (asm/fcntl.h). */
    static final int O_NOFOLLOW;

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x1;
    static final int MAP_POPULATE = 0x8000;
    static final long MAP_FAILED = -1L;

    /** Since Linux 5.14: fault pages in writable, and report failures that {@code MAP_POPULATE} swallows. */
    static final int MADV_POPULATE_WRITE = 23;
    /** Back this range with transparent huge pages where the file system allows it (tmpfs {@code huge=advise}). */
    static final int MADV_HUGEPAGE = 14;
    /** Free a range of a shared file's pages and their backing (punches a hole: the memory goes back to the system). */
    static final int MADV_REMOVE = 9;

    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    static final int SEEK_END = 2;

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FLOCK;
    private static final MethodHandle FTRUNCATE;
    private static final MethodHandle LSEEK;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle GETPID;
    private static final MethodHandle GETPAGESIZE;
    /** {@code ssize_t process_vm_readv(pid_t, const struct iovec *, unsigned long, const struct iovec *, ...)}. */
    static final MethodHandle PROCESS_VM_READV;
    /** {@code ssize_t process_vm_writev(pid_t, const struct iovec *, unsigned long, const struct iovec *, ...)}. */
    static final MethodHandle PROCESS_VM_WRITEV;

    static {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || ADDRESS.byteSize() != Long.BYTES) {
            throw new UnsupportedOperationException("memfabric native calls need 64-bit Linux: os.name="
                    + System.getProperty("os.name") + " os.arch=" + arch);
        }
        O_NOFOLLOW = switch (arch) {
            case "amd64", "x86_64" -> 0x20000;
            case "aarch64", "arm64" -> 0x8000;
            default -> throw new UnsupportedOperationException(
                    "os.arch=" + arch + " (expected: amd64 or aarch64; open(2) flag values differ per architecture)");
        };
        OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
        CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
        FLOCK = downcall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
        FTRUNCATE = downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
        LSEEK = downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
        MMAP = downcall("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_LONG), CAPTURE_ERRNO);
        MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
        MADVISE = downcall("madvise", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
        GETPID = downcall("getpid", FunctionDescriptor.of(JAVA_INT));
        GETPAGESIZE = downcall("getpagesize", FunctionDescriptor.of(JAVA_INT));
        FunctionDescriptor vm = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG,
                JAVA_LONG);
        PROCESS_VM_READV = optionalDowncall("process_vm_readv", vm, CAPTURE_ERRNO).orElse(null);
        PROCESS_VM_WRITEV = optionalDowncall("process_vm_writev", vm, CAPTURE_ERRNO).orElse(null);
    }

    private static final int PAGE_SIZE = getpagesize();

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return optionalDowncall(name, descriptor, options)
                .orElseThrow(() -> new UnsupportedOperationException("C library has no symbol " + name));
    }

    @SuppressWarnings("restricted") // binding native functions is the purpose of this class
    private static Optional<MethodHandle> optionalDowncall(String name, FunctionDescriptor descriptor,
                                                           Linker.Option... options) {
        return LOOKUP.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor, options));
    }

    /** @return the errno captured in {@code capture} (a segment of {@link #CAPTURE_LAYOUT}). */
    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static RuntimeException downcallFailed(String name, Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("downcall " + name + " threw " + t, t);
    }

    /** @return the system page size in bytes. */
    static int pageSize() {
        return PAGE_SIZE;
    }

    private static int getpagesize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw downcallFailed("getpagesize", t);
        }
    }

    /** @return this process's id, from {@code getpid(2)}. */
    static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw downcallFailed("getpid", t);
        }
    }

    /**
     * {@code open(2)}.
     *
     * @return the new file descriptor
     * @throws NativeCallException naming the path and flags
     */
    static int open(Path path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            int fd;
            try {
                fd = (int) OPEN.invokeExact(capture, cPath, flags, mode);
            } catch (Throwable t) {
                throw downcallFailed("open", t);
            }
            if (fd < 0) {
                String modeText = (flags & O_CREAT) != 0 ? ", mode=0" + Integer.toOctalString(mode) : "";
                throw new NativeCallException("open(path=" + path + ", flags=" + openFlags(flags) + modeText + ")",
                        errno(capture));
            }
            return fd;
        }
    }

    /** {@code close(2)}; {@code path} only names the file in the message. */
    static void close(int fd, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int rc;
            try {
                rc = (int) CLOSE.invokeExact(capture, fd);
            } catch (Throwable t) {
                throw downcallFailed("close", t);
            }
            if (rc != 0) {
                throw new NativeCallException("close(fd=" + fd + " path=" + path + ")", errno(capture));
            }
        }
    }

    /**
     * {@code flock(fd, LOCK_EX | LOCK_NB)}.
     *
     * @return {@code true} when the lock was taken, {@code false} when another open file description holds a lock
     * @throws NativeCallException on any other failure
     */
    static boolean tryLockExclusive(int fd, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int rc;
            try {
                rc = (int) FLOCK.invokeExact(capture, fd, LOCK_EX | LOCK_NB);
            } catch (Throwable t) {
                throw downcallFailed("flock", t);
            }
            if (rc == 0) {
                return true;
            }
            int errno = errno(capture);
            if (errno == Errno.EAGAIN) {
                return false;
            }
            throw new NativeCallException("flock(fd=" + fd + " path=" + path + ", LOCK_EX|LOCK_NB)", errno);
        }
    }

    /** {@code ftruncate(2)}. */
    static void ftruncate(int fd, long sizeBytes, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int rc;
            try {
                rc = (int) FTRUNCATE.invokeExact(capture, fd, sizeBytes);
            } catch (Throwable t) {
                throw downcallFailed("ftruncate", t);
            }
            if (rc != 0) {
                throw new NativeCallException("ftruncate(fd=" + fd + " path=" + path + ", length=" + sizeBytes + ")",
                        errno(capture));
            }
        }
    }

    /** @return the file's size, from {@code lseek(fd, 0, SEEK_END)}. */
    static long sizeOf(int fd, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            long size;
            try {
                size = (long) LSEEK.invokeExact(capture, fd, 0L, SEEK_END);
            } catch (Throwable t) {
                throw downcallFailed("lseek", t);
            }
            if (size < 0) {
                throw new NativeCallException("lseek(fd=" + fd + " path=" + path + ", 0, SEEK_END)", errno(capture));
            }
            return size;
        }
    }

    /**
     * {@code mmap(NULL, length, prot, flags, fd, 0)}: the kernel chooses the address (no {@code MAP_FIXED}, so no
     * existing mapping can ever be replaced).
     *
     * @return the address of the new mapping
     */
    static long mmap(long length, int prot, int flags, int fd, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            long address;
            try {
                address = (long) MMAP.invokeExact(capture, 0L, length, prot, flags, fd, 0L);
            } catch (Throwable t) {
                throw downcallFailed("mmap", t);
            }
            if (address == MAP_FAILED) {
                int errno = errno(capture);
                String hint = errno == Errno.ENOMEM ? " (address space or memory exhausted; check ulimit -v)" : "";
                throw new NativeCallException("mmap(addr=NULL, length=" + length + ", prot=" + protFlags(prot)
                        + ", flags=" + mapFlags(flags) + ", fd=" + fd + " path=" + path + ", offset=0)", errno, hint);
            }
            return address;
        }
    }

    /** {@code munmap(2)}. */
    static void munmap(long address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int rc;
            try {
                rc = (int) MUNMAP.invokeExact(capture, address, length);
            } catch (Throwable t) {
                throw downcallFailed("munmap", t);
            }
            if (rc != 0) {
                throw new NativeCallException("munmap(addr=0x" + Long.toHexString(address) + ", length=" + length + ")",
                        errno(capture));
            }
        }
    }

    /**
     * {@code madvise(2)}.
     *
     * @return 0 on success, otherwise the errno (the caller decides: e.g. {@code EINVAL} for an advice this kernel
     *         does not know)
     */
    static int madvise(long address, long length, int advice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int rc;
            try {
                rc = (int) MADVISE.invokeExact(capture, address, length, advice);
            } catch (Throwable t) {
                throw downcallFailed("madvise", t);
            }
            return rc == 0 ? 0 : errno(capture);
        }
    }

    static String openFlags(int flags) {
        StringBuilder text = new StringBuilder((flags & 0x3) == O_RDWR ? "O_RDWR" : "O_ACCMODE=" + (flags & 0x3));
        appendFlag(text, flags, O_CREAT, "O_CREAT");
        appendFlag(text, flags, O_EXCL, "O_EXCL");
        appendFlag(text, flags, O_CLOEXEC, "O_CLOEXEC");
        appendFlag(text, flags, O_NOFOLLOW, "O_NOFOLLOW");
        return text.toString();
    }

    static String protFlags(int prot) {
        StringBuilder text = new StringBuilder(prot == 0 ? "PROT_NONE" : "");
        appendFlag(text, prot, PROT_READ, "PROT_READ");
        appendFlag(text, prot, PROT_WRITE, "PROT_WRITE");
        return text.toString();
    }

    static String mapFlags(int flags) {
        StringBuilder text = new StringBuilder();
        appendFlag(text, flags, MAP_SHARED, "MAP_SHARED");
        appendFlag(text, flags, MAP_POPULATE, "MAP_POPULATE");
        return text.toString();
    }

    private static void appendFlag(StringBuilder text, int flags, int flag, String name) {
        if ((flags & flag) != 0) {
            if (!text.isEmpty()) {
                text.append('|');
            }
            text.append(name);
        }
    }
}
