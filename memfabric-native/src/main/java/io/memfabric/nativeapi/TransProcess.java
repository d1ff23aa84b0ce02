package io.memfabric.nativeapi;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.store.StoreUrl;
import io.memfabric.trans.Role;
import io.memfabric.trans.TransferEngine;
import io.memfabric.trans.TransferEngineOptions;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * The TRANS state of this process behind the C API: whether {@code smem_trans_init} ran, and the handle table of the
 * engines. Upstream's rules: create before init fails, init is idempotent, uninit closes every engine.
 *
 * <p>Thread safety: every method from any thread; init, create and uninit are serialised.
 */
final class TransProcess {
    private static final long UINT32_MAX = 0xFFFF_FFFFL;
    private static final int MAX_ENGINES = 1024;

    static final HandleTable<TransferEngine> ENGINES = new HandleTable<>(HandleTable.KIND_TRANS, MAX_ENGINES);

    private static final Object LOCK = new Object();
    private static volatile boolean initialized;

    private TransProcess() {
    }

    /** {@code smem_trans_init}. */
    static void init(long initTimeout) {
        synchronized (LOCK) {
            requireTimeout(initTimeout);
            initialized = true;
        }
    }

    /** {@code smem_trans_uninit}: closes every engine. */
    static void uninit() {
        synchronized (LOCK) {
            for (TransferEngine engine : ENGINES.removeAll()) {
                engine.close();
            }
            initialized = false;
        }
    }

    /** {@code smem_trans_create}: the engine's handle. */
    static long create(String storeUrl, String uniqueId, int role, long initTimeout, boolean startConfigServer) {
        synchronized (LOCK) {
            if (!initialized) {
                throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "TRANS is not initialised (expected: "
                        + "smem_trans_init first)");
            }
            if (storeUrl.isEmpty() || uniqueId.isEmpty()) {
                throw new ConfigurationException("storeUrl='" + storeUrl + "' uniqueId='" + uniqueId + "' (expected: "
                        + "tcp://ip:port and ip:port)");
            }
            requireTimeout(initTimeout);
            Role parsed = switch (role) {
                case 1 -> Role.SENDER;
                case 2 -> Role.RECEIVER;
                case 3 -> Role.BOTH;
                default -> throw new ConfigurationException("config->role=" + role + " (expected: SMEM_TRANS_SENDER "
                        + "1, SMEM_TRANS_RECEIVER 2 or SMEM_TRANS_BOTH 3)");
            };
            StoreUrl url = StoreUrl.parse(storeUrl);
            if (startConfigServer && isLocal(url)) {
                StoreServers.startIfAbsent(url);
            }
            TransferEngineOptions options = TransferEngineOptions.builder()
                    .openTimeout(Duration.ofSeconds(initTimeout)).build();
            TransferEngine engine = TransferEngine.open(storeUrl, uniqueId, parsed, options);
            try {
                return ENGINES.add(engine);
            } catch (RuntimeException e) {
                engine.close();
                throw e;
            }
        }
    }

    /** {@code smem_trans_destroy}. */
    static void destroy(long handle) {
        TransferEngine engine = ENGINES.remove(handle);
        if (engine == null) {
            throw unknown(handle);
        }
        engine.close();
    }

    /** @return the engine of {@code handle}; {@code INVALID_PARAM} when it names none. */
    static TransferEngine engine(long handle) {
        TransferEngine engine = ENGINES.get(handle);
        if (engine == null) {
            throw unknown(handle);
        }
        return engine;
    }

    private static void requireTimeout(long seconds) {
        if (seconds < 1 || seconds > UINT32_MAX) {
            throw new ConfigurationException("config->initTimeout=" + seconds + " (expected: 1..4294967295 s)");
        }
    }

    private static boolean isLocal(StoreUrl url) {
        try {
            InetAddress address = InetAddress.getByName(url.host());
            return address.isLoopbackAddress() || address.isAnyLocalAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    private static MemFabricException unknown(long handle) {
        return new MemFabricException(ErrorCode.INVALID_PARAM, "handle=" + HandleTable.text(handle) + " is not a live "
                + "transfer engine of this process (destroyed, or not from smem_trans_create)");
    }
}
