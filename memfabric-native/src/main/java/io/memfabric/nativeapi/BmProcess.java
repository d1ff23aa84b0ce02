package io.memfabric.nativeapi;

import io.memfabric.bm.BigMemory;
import io.memfabric.bm.BigMemoryOptions;
import io.memfabric.bm.BigMemorySpace;
import io.memfabric.bm.CreateOptions;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The BM state of this process behind the C API: the one {@link BigMemory} ({@code smem_bm_init} makes it,
 * {@code smem_bm_uninit} closes it) and the handle table of its objects. Upstream's rules: init is idempotent, a
 * handle before init is {@code SM_NOT_INITIALIZED}, an unknown handle after it {@code SM_INVALID_PARAM}.
 *
 * <p>Thread safety: every method from any thread; init, create and uninit are serialised.
 */
final class BmProcess {
    /** Upstream's largest BM object count: ids 0..254. */
    private static final int MAX_OBJECTS = BigMemory.MAX_ID + 1;
    private static final long UINT32_MAX = 0xFFFF_FFFFL;
    private static final int KNOWN_DATA_OPS = 0x1F;
    private static final int CREATE_WITH_SHM = 1 << 8;
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_]{1,30}");

    static final HandleTable<BigMemorySpace> SPACES = new HandleTable<>(HandleTable.KIND_BM, MAX_OBJECTS);

    private static final Object LOCK = new Object();
    private static volatile BigMemory bm;

    private BmProcess() {
    }

    /** {@code smem_bm_init}; the C side has checked the URL and config for NULL, the world size and the flag. */
    static void init(String url, int worldSize, long initTimeout, long createTimeout, long controlTimeout,
                     boolean startStore, boolean autoRanking, int rankId, String hcomUrl) {
        synchronized (LOCK) {
            if (bm != null) {
                return;
            }
            requireTimeout("initTimeout", initTimeout);
            requireTimeout("createTimeout", createTimeout);
            requireTimeout("controlOperationTimeout", controlTimeout);
            InetAddress listen = HcomUrl.listenAddress(hcomUrl);
            BigMemoryOptions.Builder options = BigMemoryOptions.builder()
                    .controlOperationTimeout(Duration.ofSeconds(controlTimeout))
                    .startConfigStoreServer(startStore)
                    .autoRanking(autoRanking)
                    .rankId(autoRanking ? -1 : rankId);
            if (listen != null) {
                options.copyEngine(b -> b.dataListen(new InetSocketAddress(listen, 0)));
            }
            bm = BigMemory.init(url, worldSize, options.build());
        }
    }

    private static void requireTimeout(String name, long seconds) {
        if (seconds < 1 || seconds > UINT32_MAX) {
            throw new ConfigurationException("config->" + name + "=" + seconds + " (expected: 1..4294967295 s)");
        }
    }

    /** {@code smem_bm_uninit}: closes every object and the BigMemory; nothing when not initialised. */
    static void uninit() {
        synchronized (LOCK) {
            for (BigMemorySpace space : SPACES.removeAll()) {
                space.close();
            }
            BigMemory closing = bm;
            bm = null;
            if (closing != null) {
                closing.close();
            }
        }
    }

    /** @return this process's rank, or {@code UINT32_MAX} before init. */
    static long rank() {
        BigMemory current = bm;
        return current == null ? UINT32_MAX : current.rank();
    }

    /** {@code smem_bm_create2}: the object, added to the handle table; its handle. */
    static long create(int id, long maxDram, long maxHbm, long localDram, long localHbm, int dataOpType, int flags,
                       String tag) {
        synchronized (LOCK) {
            BigMemory current = initialized();
            if ((dataOpType & KNOWN_DATA_OPS) == 0 || (dataOpType & ~KNOWN_DATA_OPS) != 0) {
                throw new ConfigurationException("dataOpType=0x" + Integer.toHexString(dataOpType) + " (expected: "
                        + "SMEMB_DATA_OP_* bits)");
            }
            if ((flags & CREATE_WITH_SHM) != 0) {
                throw new ConfigurationException("flags=0x" + Integer.toHexString(flags) + ": "
                        + "SMEM_BM_FLAG_CREATE_WITH_SHM is not supported (local memory is memfabric's own slot)");
            }
            if (!tag.isEmpty() && !TAG.matcher(tag).matches()) {
                throw new ConfigurationException("tag=" + tag + " (expected: empty or ^[a-zA-Z0-9_]{1,30}$)");
            }
            if (id < 0 || maxDram < 0 || maxHbm < 0 || localDram < 0 || localHbm < 0) {
                throw new ConfigurationException("id=" + Integer.toUnsignedString(id) + " sizes=" + maxDram + ","
                        + maxHbm + "," + localDram + "," + localHbm + " (expected: id 0.." + BigMemory.MAX_ID
                        + ", sizes below 2^63)");
            }
            CreateOptions options = CreateOptions.builder().localHostSize(localDram).localDeviceSize(localHbm)
                    .maxHostSize(maxDram).maxDeviceSize(maxHbm).build();
            BigMemorySpace space = current.create(id, options);
            try {
                return SPACES.add(space);
            } catch (RuntimeException e) {
                space.close();
                throw e;
            }
        }
    }

    /** {@code smem_bm_destroy}. */
    static void destroy(long handle) {
        initialized();
        BigMemorySpace space = SPACES.remove(handle);
        if (space == null) {
            throw unknown(handle);
        }
        space.close();
    }

    /**
     * @return the object of {@code handle}
     * @throws MemFabricException {@code NOT_INITIALIZED} before init, {@code INVALID_PARAM} for a handle that names
     *                            no live object
     */
    static BigMemorySpace space(long handle) {
        BigMemorySpace space = SPACES.get(handle);
        if (space == null) {
            initialized();
            throw unknown(handle);
        }
        return space;
    }

    /** @return whether smem_bm_init has run (and no uninit since). */
    static boolean isInitialized() {
        return bm != null;
    }

    private static BigMemory initialized() {
        BigMemory current = bm;
        if (current == null) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "BM is not initialised (expected: smem_bm_init "
                    + "first)");
        }
        return current;
    }

    private static MemFabricException unknown(long handle) {
        return new MemFabricException(ErrorCode.INVALID_PARAM, "handle=" + HandleTable.text(handle) + " is not a live "
                + "BigMemory object of this process (destroyed, or not from smem_bm_create)");
    }
}
