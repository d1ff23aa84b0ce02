package io.memfabric.nativeapi;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.trans.TransferBatch;
import io.memfabric.trans.TransferEngine;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The TRANS functions of the C API (upstream {@code smem_trans.h}), called by libmemfabric.so through JNI; the rules of
 * {@link NativeBm} apply. Local memory is reached in place ({@link NativeMemory#ALL}); a batch is this thread's
 * {@link TransferBatch}, reused, so that a transfer or a batch allocates nothing once warm. A batch's failure is its
 * first failed element's (the others' count is in the message).
 *
 * <p>Thread safety: every method from any thread.
 */
final class NativeTrans {
    private static final ThreadLocal<TransferBatch> BATCH = ThreadLocal.withInitial(() -> new TransferBatch(128));

    private NativeTrans() {
    }

    static int init(int role, long initTimeout, long deviceId, int flags, int dataOpType, boolean startConfigServer) {
        try {
            TransProcess.init(initTimeout);
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_trans_init", t, LastError.SM_INVALID_PARAM);
        }
    }

    static void uninit(int flags) {
        try {
            TransProcess.uninit();
        } catch (Throwable t) {
            LastError.fail("smem_trans_uninit", t, LastError.SM_INVALID_PARAM);
        }
    }

    /** @return the handle, or 0 on failure. */
    static long create(String storeUrl, String uniqueId, int role, long initTimeout, long deviceId, int flags,
                       int dataOpType, boolean startConfigServer) {
        try {
            return TransProcess.create(storeUrl, uniqueId, role, initTimeout, startConfigServer);
        } catch (Throwable t) {
            LastError.fail("smem_trans_create", t, LastError.SM_INVALID_PARAM);
            return 0;
        }
    }

    static void destroy(long handle, int flags) {
        try {
            TransProcess.destroy(handle);
        } catch (Throwable t) {
            LastError.fail("smem_trans_destroy", t, LastError.SM_INVALID_PARAM);
        }
    }

    /** @return the block's address, or 0 on failure. */
    static long malloc(long handle, long capacity) {
        try {
            return TransProcess.engine(handle).allocate(capacity).address();
        } catch (Throwable t) {
            LastError.fail("smem_trans_malloc", t, LastError.SM_INVALID_PARAM);
            return 0;
        }
    }

    static int free(long handle, long address) {
        try {
            TransProcess.engine(handle).free(address);
            return LastError.SM_OK;
        } catch (Throwable t) {
            int code = LastError.fail("smem_trans_free", t, LastError.SM_INVALID_PARAM);
            // Upstream: an address that is no allocation is SM_ERROR.
            return code == LastError.SM_INVALID_PARAM && TransProcess.ENGINES.get(handle) != null
                    ? LastError.SM_ERROR : code;
        }
    }

    static int register(long handle, long address, long capacity, int flags) {
        try {
            TransProcess.engine(handle).registerMemory(address, capacity);
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_trans_register_mem", t, LastError.SM_INVALID_PARAM);
        }
    }

    static int batchRegister(long handle, long addresses, long capacities, int count, int flags) {
        try {
            TransferEngine engine = TransProcess.engine(handle);
            List<MemorySegment> segments = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long address = NativeMemory.word(addresses, i);
                long capacity = NativeMemory.word(capacities, i);
                if (address == 0 || capacity <= 0) {
                    return LastError.fail(LastError.SM_INVALID_PARAM, "smem_trans_batch_register_mem: element " + i
                            + ": address=" + NativeMemory.hex(address) + " capacity=" + Long.toUnsignedString(capacity)
                            + " (expected: non-NULL, capacity 1.." + Long.MAX_VALUE + ")");
                }
                segments.add(NativeMemory.at(address, capacity));
            }
            engine.batchRegisterMemory(segments);
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_trans_batch_register_mem", t, LastError.SM_INVALID_PARAM);
        }
    }

    static int deregister(long handle, long address) {
        try {
            TransProcess.engine(handle).unregisterMemory(address);
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail("smem_trans_deregister_mem", t, LastError.SM_INVALID_PARAM);
        }
    }

    static int transfer(long handle, boolean write, long local, String peer, long remote, long size, int flags) {
        try {
            if (size < 0) {
                throw new IllegalArgumentException("dataSize=" + Long.toUnsignedString(size) + " (expected: < 2^63)");
            }
            TransferEngine engine = TransProcess.engine(handle);
            if (write) {
                engine.write(peer, NativeMemory.ALL, local, remote, size);
            } else {
                engine.read(peer, NativeMemory.ALL, local, remote, size);
            }
            return LastError.SM_OK;
        } catch (Throwable t) {
            return LastError.fail(write ? "smem_trans_write" : "smem_trans_read", t, LastError.SM_INVALID_PARAM);
        }
    }

    static int batchTransfer(long handle, boolean write, long locals, String peer, long remotes, long sizes,
                             int count, int flags) {
        String what = write ? "smem_trans_batch_write" : "smem_trans_batch_read";
        TransferBatch batch = BATCH.get();
        try {
            TransferEngine engine = TransProcess.engine(handle);
            batch.clear();
            for (int i = 0; i < count; i++) {
                long local = NativeMemory.word(locals, i);
                long remote = NativeMemory.word(remotes, i);
                long size = NativeMemory.word(sizes, i);
                if (local == 0 || remote == 0 || size <= 0) {
                    return LastError.fail(LastError.SM_INVALID_PARAM, what + ": element " + i + ": localAddr="
                            + NativeMemory.hex(local) + " remoteAddr=" + NativeMemory.hex(remote) + " dataSize="
                            + Long.toUnsignedString(size) + " (expected: non-NULL addresses, dataSize > 0)");
                }
                batch.add(NativeMemory.ALL, local, remote, size);
            }
            int failed = write ? engine.batchWrite(peer, batch) : engine.batchRead(peer, batch);
            return failed == 0 ? LastError.SM_OK : firstFailure(what, batch, failed);
        } catch (Throwable t) {
            return LastError.fail(what, t, LastError.SM_INVALID_PARAM);
        } finally {
            batch.clear();
        }
    }

    private static int firstFailure(String what, TransferBatch batch, int failed) {
        for (int i = 0; i < batch.size(); i++) {
            int status = batch.status(i);
            if (status != TransferBatch.OK) {
                ErrorCode code = ErrorCode.of(status);
                return LastError.fail(LastError.code(code, LastError.SM_INVALID_PARAM), what + ": " + failed + " of "
                        + batch.size() + " elements failed; the first: [" + code + "/" + status + "] "
                        + batch.failure(i));
            }
        }
        return LastError.fail(what, new MemFabricException(ErrorCode.ERROR, failed + " elements failed"),
                LastError.SM_INVALID_PARAM);
    }
}
