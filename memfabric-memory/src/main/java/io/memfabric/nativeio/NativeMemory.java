package io.memfabric.nativeio;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Page-level operations on native mappings: the page size, and pre-faulting ("populating") a mapping so that the cost
 * of first touch — about 1 s per GiB of shared memory on a small VM — is paid when a slot is created, never on the
 * data path.
 *
 * <p>Population uses {@code madvise(MADV_POPULATE_WRITE)} (Linux 5.14+) rather than {@code MAP_POPULATE}, for two
 * reasons: it reports failure (a full {@code /dev/shm} is an error at creation instead of a {@code SIGBUS} that kills
 * the JVM on first access), and disjoint ranges can be populated by several threads at once, which is what brings a
 * 1 GiB slot under the 0.5 s bar on two cores (see {@code docs/memory-slots.md}). Callers fall back to
 * {@code MAP_POPULATE} when {@link #populate} reports that the kernel lacks the advice.
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
public final class NativeMemory {
    /** Ranges smaller than this are populated by the calling thread alone: a thread costs more than it saves. */
    public static final long MIN_PARALLEL_CHUNK_BYTES = 64L << 20;

    private NativeMemory() {
    }

    /** @return the system page size in bytes (4096 on x86-64). */
    public static int pageSize() {
        return Libc.pageSize();
    }

    /**
     * Faults in every page of {@code [offset, offset + length)} of {@code segment} as if written, allocating backing
     * pages of a shared file that has none yet, and installing page-table entries.
     *
     * @param segment a native segment over a mapping
     * @param offset  a multiple of {@link #pageSize()}
     * @param length  bytes, at least 1 (rounded up to whole pages by the kernel)
     * @return {@code true} when populated; {@code false} when this kernel does not support
     *         {@code MADV_POPULATE_WRITE} (before 5.14): populate another way
     * @throws NativeCallException when a page could not be populated ({@code ENOMEM}, or {@code EFAULT} where a
     *                             later access would have raised {@code SIGBUS}, e.g. on a full tmpfs)
     */
    public static boolean populateWrite(MemorySegment segment, long offset, long length) {
        Objects.requireNonNull(segment, "segment");
        if (offset < 0 || length <= 0 || length > segment.byteSize() - offset) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "offset=" + offset + " length=" + length
                    + " (expected: a non-empty range inside a segment of " + segment.byteSize() + " bytes)");
        }
        long address = segment.address() + offset;
        if (address % pageSize() != 0) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "address=0x" + Long.toHexString(address)
                    + " (expected: a multiple of the page size " + pageSize() + ")");
        }
        while (true) {
            int errno = Libc.madvise(address, length, Libc.MADV_POPULATE_WRITE);
            if (errno == 0) {
                return true;
            }
            if (errno == Errno.EINVAL) {
                return false;
            }
            if (errno == Errno.EINTR || errno == Errno.EAGAIN) {
                continue;
            }
            String hint = errno == Errno.EFAULT || errno == Errno.ENOMEM
                    ? " (a page could not be allocated: is the shared-memory file system full, e.g. df -h /dev/shm?)"
                    : "";
            throw new NativeCallException("madvise(addr=0x" + Long.toHexString(address) + ", length=" + length
                    + ", MADV_POPULATE_WRITE)", errno, hint);
        }
    }

    /**
     * Gives the pages of {@code [offset, offset + length)} back to the system: their backing in the shared file is
     * freed (a hole is punched), and the range reads as zeros until written again, in every process that maps it.
     *
     * @param segment a native segment over a shared mapping
     * @param offset  a multiple of {@link #pageSize()}
     * @param length  bytes, a multiple of {@link #pageSize()}, at least 1
     * @throws NativeCallException when the kernel refuses
     */
    public static void release(MemorySegment segment, long offset, long length) {
        Objects.requireNonNull(segment, "segment");
        if (offset < 0 || length <= 0 || length > segment.byteSize() - offset || offset % pageSize() != 0
                || length % pageSize() != 0) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "offset=" + offset + " length=" + length
                    + " (expected: a page-aligned range inside a segment of " + segment.byteSize() + " bytes)");
        }
        long address = segment.address() + offset;
        int errno;
        do {
            errno = Libc.madvise(address, length, Libc.MADV_REMOVE);
        } while (errno == Errno.EINTR || errno == Errno.EAGAIN);
        if (errno != 0) {
            throw new NativeCallException("madvise(addr=0x" + Long.toHexString(address) + ", length=" + length
                    + ", MADV_REMOVE)", errno, "");
        }
    }

    /**
     * Asks for transparent huge pages on a mapping, before it is populated. It takes effect only where the file system
     * allows it (a tmpfs mounted with {@code huge=advise}; with {@code huge=always} or {@code within_size} no advice is
     * needed) and is otherwise ignored; 2 MiB pages cut population time and TLB misses on large slots.
     *
     * @param segment a native segment over a mapping, starting on a page boundary
     * @return whether the kernel accepted the advice (not whether huge pages will be used)
     */
    public static boolean adviseHugePages(MemorySegment segment) {
        return Libc.madvise(segment.address(), segment.byteSize(), Libc.MADV_HUGEPAGE) == 0;
    }

    /**
     * Populates all of {@code segment} with {@link #populateWrite}, splitting it into up to {@code threads}
     * page-aligned chunks of at least {@link #MIN_PARALLEL_CHUNK_BYTES}. The calling thread populates the first chunk;
     * helper threads from {@code threadFactory} populate the others and are joined before this method returns, even
     * when it throws or the caller is interrupted (they touch the mapping, which the caller may unmap next).
     *
     * @param segment       a native segment over a mapping, starting on a page boundary
     * @param threads       the most threads to use, including the caller's (at least 1)
     * @param threadFactory makes the helper threads
     * @return {@code true} when populated; {@code false} when the kernel lacks {@code MADV_POPULATE_WRITE}
     * @throws NativeCallException the first failure of any chunk, the others suppressed
     */
    public static boolean populate(MemorySegment segment, int threads, ThreadFactory threadFactory) {
        Objects.requireNonNull(threadFactory, "threadFactory");
        if (threads < 1) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "threads=" + threads + " (expected: >= 1)");
        }
        long size = segment.byteSize();
        int page = pageSize();
        int chunks = (int) Math.max(1, Math.min(threads, size / MIN_PARALLEL_CHUNK_BYTES));
        long chunkBytes = roundUp(ceilDiv(size, chunks), page);
        Chunk[] work = new Chunk[chunks];
        for (int i = 0; i < chunks; i++) {
            long offset = Math.min(size, i * chunkBytes);
            work[i] = new Chunk(segment, offset, Math.min(chunkBytes, size - offset));
        }
        Thread[] helpers = new Thread[chunks - 1];
        try {
            for (int i = 1; i < chunks; i++) {
                helpers[i - 1] = threadFactory.newThread(work[i]);
                helpers[i - 1].start();
            }
            work[0].run();
        } finally {
            joinUninterruptibly(helpers);
        }
        boolean supported = true;
        RuntimeException failure = null;
        for (Chunk chunk : work) {
            supported &= chunk.supported;
            if (chunk.failure != null) {
                if (failure == null) {
                    failure = chunk.failure;
                } else {
                    failure.addSuppressed(chunk.failure);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return supported;
    }

    private static void joinUninterruptibly(Thread[] threads) {
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread != null) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long roundUp(long value, long multiple) {
        return ceilDiv(value, multiple) * multiple;
    }

    /** One range of a parallel populate; its results are read after its thread is joined (join orders them). */
    private static final class Chunk implements Runnable {
        private final MemorySegment segment;
        private final long offset;
        private final long length;
        private boolean supported = true;
        private RuntimeException failure;

        Chunk(MemorySegment segment, long offset, long length) {
            this.segment = segment;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public void run() {
            if (length <= 0) {
                return;
            }
            try {
                supported = populateWrite(segment, offset, length);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
    }
}
