package io.memfabric.nativeapi;

import io.memfabric.bm.BigMemorySpace;
import io.memfabric.memory.MemoryType;

import java.lang.foreign.MemorySegment;

/**
 * The BM functions of the C API (upstream {@code smem_bm.h}), called by libmemfabric.so through JNI. Each takes
 * primitives, returns upstream's code (or a value where upstream returns one, with 0 or -1 for a failure, as the C
 * side expects) and throws nothing: a failure's message goes to {@link LastError}.
 *
 * <p>Thread safety: every method from any thread.
 */
final class NativeBm {
    /** {@code smem_bm_mem_type}: the global windows. */
    private static final int MEM_TYPE_DEVICE = 2;
    private static final int MEM_TYPE_HOST = 3;

    private NativeBm() {
    }

    static int init(String url, int worldSize, int deviceId, long initTimeout, long createTimeout,
                    long controlTimeout, boolean startStore, boolean startStoreOnly, boolean dynamicWorldSize,
                    boolean autoRanking, int rankId, String hcomUrl, int flags) {
        try {
            BmProcess.init(url, worldSize, initTimeout, createTimeout, controlTimeout, startStore, autoRanking,
                    rankId, hcomUrl);
            return LastError.SM_OK;
        } catch (Throwable t) {
            int code = LastError.fail("smem_bm_init", t, LastError.SM_ERROR);
            // Upstream: a bad argument is SM_INVALID_PARAM, any store failure SM_ERROR.
            return code == LastError.SM_INVALID_PARAM ? code : LastError.SM_ERROR;
        }
    }

    static void uninit(int flags) {
        try {
            BmProcess.uninit();
        } catch (Throwable t) {
            LastError.fail("smem_bm_uninit", t, LastError.SM_ERROR);
        }
    }

    static long rankId() {
        return BmProcess.rank();
    }

    /** @return the handle, or 0 on failure. */
    static long create(int id, long maxDram, long maxHbm, long localDram, long localHbm, int dataOpType, int flags,
                       String tag) {
        try {
            return BmProcess.create(id, maxDram, maxHbm, localDram, localHbm, dataOpType, flags, tag);
        } catch (Throwable t) {
            LastError.fail("smem_bm_create", t, LastError.SM_ERROR);
            return 0;
        }
    }

    static void destroy(long handle) {
        try {
            BmProcess.destroy(handle);
        } catch (Throwable t) {
            LastError.fail("smem_bm_destroy", t, LastError.SM_ERROR);
        }
    }

    static int join(long handle, int flags) {
        try {
            BmProcess.space(handle).join();
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_bm_join", t, LastError.SM_ERROR);
        }
    }

    static int leave(long handle, int flags) {
        try {
            BmProcess.space(handle).leave();
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_bm_leave", t, LastError.SM_ERROR);
        }
    }

    /** @return the local size, or -1 on failure (0 is an answer). */
    static long localMemSize(long handle, int memType) {
        try {
            return BmProcess.space(handle).localSize(globalType(memType));
        } catch (Throwable t) {
            LastError.fail("smem_bm_get_local_mem_size_by_mem_type", t, LastError.SM_ERROR);
            return -1;
        }
    }

    /** @return the GVA, or 0 on failure. */
    static long ptr(long handle, int memType, int peerRank) {
        try {
            return BmProcess.space(handle).peerAddress(peerRank, globalType(memType));
        } catch (Throwable t) {
            LastError.fail("smem_bm_ptr_by_mem_type", t, LastError.SM_ERROR);
            return 0;
        }
    }

    /** @return this rank's own slot's address in this process, or 0 on failure. */
    static long localPtr(long handle, int memType) {
        try {
            MemorySegment slot = BmProcess.space(handle).localSegment(globalType(memType));
            return slot.address();
        } catch (Throwable t) {
            LastError.fail("smem_bm_local_ptr_by_mem_type", t, LastError.SM_ERROR);
            return 0;
        }
    }

    static int copy(long handle, long src, long dst, long size, int type, int flags) {
        try {
            BmCopies.copy(BmProcess.space(handle), src, dst, size, type, flags);
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_bm_copy", t, LastError.SM_ERROR);
        }
    }

    static int copyBatch(long handle, long sources, long destinations, long sizes, int count, int type, int flags) {
        try {
            BmCopies.batch(BmProcess.space(handle), sources, destinations, sizes, count, type, flags);
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_bm_copy_batch", t, LastError.SM_ERROR);
        }
    }

    static int await(long handle) {
        try {
            BmProcess.space(handle).await();
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_bm_wait", t, LastError.SM_ERROR);
        }
    }

    static int register(long handle, long address, long size) {
        try {
            if (size < 0) {
                throw new IllegalArgumentException("size=" + Long.toUnsignedString(size) + " (expected: < 2^63)");
            }
            BmProcess.space(handle).register(NativeMemory.at(address, size));
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_bm_register_user_mem", t, LastError.SM_ERROR);
        }
    }

    static int unregister(long handle, long address) {
        try {
            BmProcess.space(handle).unregister(MemorySegment.ofAddress(address));
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_bm_unregister_user_mem", t, LastError.SM_ERROR);
        }
    }

    /** @return the rank (-1 is UINT32_MAX: not an address of the object), or upstream's error code. */
    static int rankByGva(long handle, long gva) {
        try {
            BigMemorySpace space = BmProcess.space(handle);
            return space.rankOf(gva);
        } catch (Throwable t) {
            return LastError.fail("smem_bm_get_rank_id_by_gva", t, LastError.SM_ERROR);
        }
    }

    private static MemoryType globalType(int memType) {
        return switch (memType) {
            case MEM_TYPE_DEVICE -> MemoryType.DEVICE;
            case MEM_TYPE_HOST -> MemoryType.HOST;
            default -> throw new IllegalArgumentException("memType=" + memType + " (expected: SMEM_MEM_TYPE_DEVICE "
                    + MEM_TYPE_DEVICE + " or SMEM_MEM_TYPE_HOST " + MEM_TYPE_HOST + ")");
        };
    }
}
