package io.memfabric.nativeapi;

import io.memfabric.bm.BigMemoryBatch;
import io.memfabric.bm.BigMemorySpace;
import io.memfabric.bm.CopyType;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.transport.Direction;

/**
 * {@code smem_bm_copy} and {@code smem_bm_copy_batch} onto {@link BigMemorySpace}: which side of a copy is local
 * memory (a pointer of this process, reached in place through {@link NativeMemory#ALL}) and which is global (a GVA)
 * follows from the copy type, as upstream's §2.5 rules say; {@code AUTO} decides by the address. A local side that is
 * a GVA is refused before anything touches it (reading a GVA as a pointer would crash the process).
 *
 * <p>Allocation: none on a synchronous copy or batch unless it fails (the batch is this thread's, reused); an
 * asynchronous one allocates its completion.
 *
 * <p>Thread safety: any method from any thread.
 */
final class BmCopies {
    /** Upstream {@code ASYNC_COPY_FLAG}. */
    static final int ASYNC_COPY_FLAG = 1;

    private static final ThreadLocal<BigMemoryBatch> BATCH = ThreadLocal.withInitial(() -> new BigMemoryBatch(128));

    private BmCopies() {
    }

    static void copy(BigMemorySpace space, long src, long dst, long size, int typeCode, int flags) {
        CopyType type = CopyType.ofCode(typeCode);
        boolean async = (flags & ASYNC_COPY_FLAG) != 0;
        switch (direction(type, src, dst, "")) {
            case WRITE -> {
                if (async) {
                    space.copyAsync(NativeMemory.at(src, size), dst, size, type);
                } else {
                    space.copy(NativeMemory.ALL, src, dst, size, type);
                }
            }
            case READ -> {
                if (async) {
                    space.copyAsync(src, NativeMemory.at(dst, size), size, type);
                } else {
                    space.copy(src, NativeMemory.ALL, dst, size, type);
                }
            }
            case COPY -> {
                if (async) {
                    space.copyAsync(src, dst, size, type);
                } else {
                    space.copy(src, dst, size, type);
                }
            }
        }
    }

    static void batch(BigMemorySpace space, long sources, long destinations, long sizes, int count, int typeCode,
                      int flags) {
        CopyType type = CopyType.ofCode(typeCode);
        boolean async = (flags & ASYNC_COPY_FLAG) != 0;
        // An asynchronous batch must stay as it is until it completes: it gets its own.
        BigMemoryBatch batch = async ? new BigMemoryBatch(count) : BATCH.get();
        batch.clear();
        try {
            for (int i = 0; i < count; i++) {
                long src = NativeMemory.word(sources, i);
                long dst = NativeMemory.word(destinations, i);
                long size = NativeMemory.word(sizes, i);
                if (src == 0 || dst == 0 || size <= 0) {
                    throw invalid("element " + i + ": src=" + NativeMemory.hex(src) + " dst=" + NativeMemory.hex(dst)
                            + " size=" + Long.toUnsignedString(size) + " (expected: non-NULL addresses, size 1.."
                            + Long.MAX_VALUE + ")");
                }
                switch (direction(type, src, dst, "element " + i + ": ")) {
                    case WRITE -> batch.add(NativeMemory.ALL, src, dst, size, type);
                    case READ -> batch.add(src, NativeMemory.ALL, dst, size, type);
                    case COPY -> batch.add(src, dst, size, type);
                }
            }
            if (async) {
                space.copyBatchAsync(batch);
            } else {
                space.copyBatch(batch);
            }
        } finally {
            if (!async) {
                batch.clear();
            }
        }
    }

    /**
     * @return WRITE (local source), READ (local destination) or COPY (both global)
     * @throws MemFabricException {@code INVALID_PARAM} for a local side that is a GVA, or an AUTO copy between two
     *                            local addresses
     */
    static Direction direction(CopyType type, long src, long dst, String element) {
        boolean localSource;
        boolean localDestination;
        if (type.isLocalSource()) {
            localSource = true;
            localDestination = false;
        } else if (type.isLocalDestination()) {
            localSource = false;
            localDestination = true;
        } else if (type == CopyType.AUTO) {
            localSource = !NativeMemory.isGlobal(src);
            localDestination = !NativeMemory.isGlobal(dst);
            if (localSource && localDestination) {
                throw invalid(element + "AUTO: src=" + NativeMemory.hex(src) + " and dest=" + NativeMemory.hex(dst)
                        + " are both local addresses (expected: at least one GVA; a local -> local copy is memcpy)");
            }
        } else {
            localSource = false;
            localDestination = false;
        }
        if (localSource && NativeMemory.isGlobal(src)) {
            throw invalid(element + type + ": src=" + NativeMemory.hex(src) + " is a GVA, but " + type + " reads "
                    + "local memory (expected: a pointer of this process; G2G or AUTO for a global source)");
        }
        if (localDestination && NativeMemory.isGlobal(dst)) {
            throw invalid(element + type + ": dest=" + NativeMemory.hex(dst) + " is a GVA, but " + type + " writes "
                    + "local memory (expected: a pointer of this process; G2G or AUTO for a global destination)");
        }
        return localSource ? Direction.WRITE : localDestination ? Direction.READ : Direction.COPY;
    }

    private static MemFabricException invalid(String message) {
        return new MemFabricException(ErrorCode.INVALID_PARAM, message);
    }
}
