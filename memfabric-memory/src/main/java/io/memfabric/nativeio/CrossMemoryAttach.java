package io.memfabric.nativeio;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Cross Memory Attach: one copy between this process and another process's memory on the same host, with
 * {@code process_vm_readv(2)} and {@code process_vm_writev(2)}, without mapping anything.
 *
 * <p>Hot path: {@link #tryRead} and {@link #tryWrite} allocate nothing. Each thread builds its {@code iovec} pair and
 * its errno capture segment once, on first use, and reuses them for every later call ({@code STYLE} B3, scratch space
 * on the hot path). Failures that are ordinary control flow for a transport (the peer died: {@code ESRCH}; the kernel
 * forbids access: {@code EPERM}) come back as a negative errno, not as an exception. {@link #readFully} and
 * {@link #writeFully} loop over partial transfers and throw.
 *
 * <p>Whether the kernel allows this at all is a property of the host: see {@link #probe()}.
 *
 * <p>Lifetimes: the local memory and the remote range must stay mapped for the duration of a call. The local segment's
 * arena is not held open by these calls (its address travels inside an {@code iovec}), so its owner must not close it
 * concurrently.
 *
 * <p>Thread safety: safe from any thread; each thread uses its own scratch space.
 */
public final class CrossMemoryAttach {
    /** {@code struct iovec { void *iov_base; size_t iov_len; }} on LP64. */
    private static final long IOVEC_BYTES = 16;
    private static final long IOV_BASE_OFFSET = 0;
    private static final long IOV_LEN_OFFSET = IOV_BASE_OFFSET + Long.BYTES;
    private static final long REMOTE_IOVEC_OFFSET = IOVEC_BYTES;
    private static final long SCRATCH_BYTES = REMOTE_IOVEC_OFFSET + IOVEC_BYTES;

    /** Linux capability number of {@code CAP_SYS_PTRACE} (linux/capability.h). */
    private static final int CAP_SYS_PTRACE = 19;
    private static final Path PTRACE_SCOPE = Path.of("/proc/sys/kernel/yama/ptrace_scope");
    private static final int PROBE_BYTES = 64;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private CrossMemoryAttach() {
    }

    /**
     * Whether cross-memory attach can be used between the ranks of this host, and why (not).
     *
     * @param usable whether the cma transport may be chosen
     * @param reason one line for {@code memfabric info} and the logs: what was checked, and when unusable, what to
     *               change
     */
    public record Probe(boolean usable, String reason) {
        /** Checks the arguments. */
        public Probe {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Checks whether this process can read another same-user process's memory: the calls must exist, a
     * {@code process_vm_readv} of this process's own memory must succeed (seccomp filters of container runtimes and
     * kernels without {@code CONFIG_CROSS_MEMORY_ATTACH} fail here), and Yama's {@code ptrace_scope} must allow access
     * to processes that are not descendants (ranks are siblings), unless this process has {@code CAP_SYS_PTRACE}.
     *
     * <p>Per-peer failures remain possible (a peer of another user, or one that made itself non-dumpable); transports
     * treat {@code EPERM} from {@link #tryRead} as a reason to fall back for that peer.
     *
     * @return the verdict and its reason; never throws
     */
    public static Probe probe() {
        if (Libc.PROCESS_VM_READV == null || Libc.PROCESS_VM_WRITEV == null) {
            return new Probe(false, "the C library has no process_vm_readv/process_vm_writev (glibc >= 2.15 needed)");
        }
        String selfRead = probeSelfRead();
        if (selfRead != null) {
            return new Probe(false, selfRead);
        }
        boolean capPtrace = hasCapability(CAP_SYS_PTRACE);
        String capText = capPtrace ? "CAP_SYS_PTRACE held" : "no CAP_SYS_PTRACE";
        int scope = readPtraceScope();
        return switch (scope) {
            case -1 -> new Probe(true, "process_vm_readv of own memory works; no Yama LSM (no " + PTRACE_SCOPE
                    + "): same-user, dumpable peers are readable; " + capText);
            case 0 -> new Probe(true, "process_vm_readv of own memory works; ptrace_scope=0 (classic): same-user, "
                    + "dumpable peers are readable; " + capText);
            case 1, 2 -> capPtrace
                    ? new Probe(true, "process_vm_readv of own memory works; ptrace_scope=" + scope
                            + " is satisfied by CAP_SYS_PTRACE")
                    : new Probe(false, "ptrace_scope=" + scope + (scope == 1
                            ? " (restricted): only descendants may be read, and ranks are siblings"
                            : " (admin-only)") + "; no CAP_SYS_PTRACE. Set sysctl kernel.yama.ptrace_scope=0 "
                            + "or grant CAP_SYS_PTRACE to use the cma transport");
            case 3 -> new Probe(false, "ptrace_scope=3 (no attach): process_vm_readv of other processes is disabled "
                    + "until reboot");
            default -> new Probe(false, "unknown ptrace_scope=" + scope + " in " + PTRACE_SCOPE);
        };
    }

    /** @return {@code null} when a read of this process's own memory works, else why not. */
    private static String probeSelfRead() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(PROBE_BYTES);
            MemorySegment target = arena.allocate(PROBE_BYTES);
            for (int i = 0; i < PROBE_BYTES; i++) {
                source.set(JAVA_BYTE, i, (byte) (0x5A ^ i));
            }
            long n = tryRead(Libc.getpid(), target.address(), source.address(), PROBE_BYTES);
            if (n < 0) {
                int errno = (int) -n;
                String why = switch (errno) {
                    case Errno.ENOSYS -> ": the kernel was built without CONFIG_CROSS_MEMORY_ATTACH";
                    case Errno.EPERM -> ": forbidden, probably by a seccomp filter (container runtimes block it "
                            + "unless CAP_SYS_PTRACE is granted)";
                    default -> "";
                };
                return "process_vm_readv of own memory failed: " + Errno.describe(errno) + why;
            }
            if (n != PROBE_BYTES || target.mismatch(source) != -1) {
                return "process_vm_readv of own memory copied " + n + " of " + PROBE_BYTES + " bytes, or wrong bytes";
            }
            return null;
        } catch (RuntimeException e) {
            return "process_vm_readv of own memory threw " + e;
        }
    }

    /** @return the value of {@code /proc/sys/kernel/yama/ptrace_scope}, or -1 when there is no Yama LSM. */
    static int readPtraceScope() {
        try {
            return Integer.parseInt(Files.readString(PTRACE_SCOPE, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return Integer.MIN_VALUE;
        }
    }

    /** @return whether capability number {@code cap} is in this process's effective set ({@code CapEff}). */
    static boolean hasCapability(int cap) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("CapEff:")) {
                    long effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (effective & (1L << cap)) != 0;
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            return false;
        }
        return false;
    }

    /**
     * Copies up to {@code length} bytes from {@code remoteAddress} in process {@code pid} to {@code localAddress} in
     * this process. Allocates nothing.
     *
     * @param pid           the process to read
     * @param localAddress  where to write in this process
     * @param remoteAddress where to read in process {@code pid}
     * @param length        bytes, at least 0
     * @return the number of bytes copied ({@code < length} when the remote range ends in unmapped memory, or a single
     *         call's limit of about 2 GiB was reached: call again for the rest), or a negative errno:
     *         {@code -ESRCH} (-3) the process is gone; {@code -EPERM} (-1) not allowed; {@code -EFAULT} (-14) an
     *         address is not mapped; {@code -EINVAL} (-22) a bad argument; {@code -ENOSYS} (-38) the call is missing
     */
    public static long tryRead(long pid, long localAddress, long remoteAddress, long length) {
        return transfer(Libc.PROCESS_VM_READV, pid, localAddress, remoteAddress, length);
    }

    /**
     * Copies up to {@code length} bytes from {@code localAddress} in this process to {@code remoteAddress} in process
     * {@code pid}. Allocates nothing.
     *
     * @param pid           the process to write
     * @param localAddress  where to read in this process
     * @param remoteAddress where to write in process {@code pid}
     * @param length        bytes, at least 0
     * @return the number of bytes copied, or a negative errno, as for {@link #tryRead}
     */
    public static long tryWrite(long pid, long localAddress, long remoteAddress, long length) {
        return transfer(Libc.PROCESS_VM_WRITEV, pid, localAddress, remoteAddress, length);
    }

    private static long transfer(MethodHandle call, long pid, long localAddress, long remoteAddress,
                                 long length) {
        if (call == null) {
            return -Errno.ENOSYS;
        }
        if (pid <= 0 || pid > Integer.MAX_VALUE || length < 0) {
            return -Errno.EINVAL;
        }
        Scratch scratch = SCRATCH.get();
        MemorySegment iov = scratch.iov;
        iov.set(JAVA_LONG, IOV_BASE_OFFSET, localAddress);
        iov.set(JAVA_LONG, IOV_LEN_OFFSET, length);
        iov.set(JAVA_LONG, REMOTE_IOVEC_OFFSET + IOV_BASE_OFFSET, remoteAddress);
        iov.set(JAVA_LONG, REMOTE_IOVEC_OFFSET + IOV_LEN_OFFSET, length);
        long n;
        try {
            n = (long) call.invokeExact(scratch.capture, (int) pid, scratch.localIov, 1L, scratch.remoteIov, 1L, 0L);
        } catch (Throwable t) {
            throw Libc.downcallFailed("process_vm_readv/writev", t);
        }
        return n >= 0 ? n : -Libc.errno(scratch.capture);
    }

    /**
     * Reads {@code local.byteSize()} bytes from {@code remoteAddress} in process {@code pid} into {@code local},
     * looping over partial transfers.
     *
     * @param pid           the process to read
     * @param local         a native segment to fill
     * @param remoteAddress where to read in process {@code pid}
     * @throws NativeCallException naming pid, addresses, length and progress: {@code ESRCH}
     *                             ({@link ErrorCode#PEER_UNAVAILABLE}), {@code EFAULT}
     *                             ({@link ErrorCode#ADDRESS_OUT_OF_RANGE}), {@code EPERM} ({@link ErrorCode#ERROR})
     */
    public static void readFully(long pid, MemorySegment local, long remoteAddress) {
        transferFully(true, pid, local, remoteAddress);
    }

    /**
     * Writes all of {@code local} to {@code remoteAddress} in process {@code pid}, looping over partial transfers.
     *
     * @param pid           the process to write
     * @param local         a native segment to copy from
     * @param remoteAddress where to write in process {@code pid}
     * @throws NativeCallException as for {@link #readFully}
     */
    public static void writeFully(long pid, MemorySegment local, long remoteAddress) {
        transferFully(false, pid, local, remoteAddress);
    }

    private static void transferFully(boolean read, long pid, MemorySegment local, long remoteAddress) {
        Objects.requireNonNull(local, "local");
        if (!local.isNative()) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "local=" + local + " (expected: a native segment)");
        }
        long length = local.byteSize();
        long done = 0;
        while (done < length) {
            long remaining = length - done;
            long n = read
                    ? tryRead(pid, local.address() + done, remoteAddress + done, remaining)
                    : tryWrite(pid, local.address() + done, remoteAddress + done, remaining);
            if (n <= 0) {
                int errno = n == 0 ? Errno.EFAULT : (int) -n;
                throw new NativeCallException((read ? "process_vm_readv" : "process_vm_writev") + "(pid=" + pid
                        + ", local=0x" + Long.toHexString(local.address()) + ", remote=0x"
                        + Long.toHexString(remoteAddress) + ", length=" + length + ") after " + done + " bytes", errno);
            }
            done += n;
        }
    }

    /** One thread's {@code iovec} pair and errno capture, allocated once per thread and reused by every call. */
    private static final class Scratch {
        private final MemorySegment iov;
        private final MemorySegment localIov;
        private final MemorySegment remoteIov;
        private final MemorySegment capture;

        Scratch() {
            // An automatic arena: 48 bytes per thread that has ever called, freed by the GC once the thread is gone
            // (pool memory never lives in such an arena; this is scratch space).
            Arena arena = Arena.ofAuto();
            iov = arena.allocate(SCRATCH_BYTES, Long.BYTES);
            localIov = iov.asSlice(0, IOVEC_BYTES);
            remoteIov = iov.asSlice(REMOTE_IOVEC_OFFSET, IOVEC_BYTES);
            capture = arena.allocate(Libc.CAPTURE_LAYOUT);
        }
    }
}
