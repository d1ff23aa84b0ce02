package io.memfabric.nativeapi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The common functions of the C API (upstream {@code smem.h}), called by libmemfabric.so through JNI; see the package
 * documentation for the rules every bridge method follows (primitives in, upstream codes out, nothing thrown).
 *
 * <p>Thread safety: every method from any thread.
 */
final class NativeCommon {
    private static final Logger LOG = LoggerFactory.getLogger(NativeCommon.class);

    private static volatile boolean initialized;

    private NativeCommon() {
    }

    /** @return this thread's last failure message, cleared; {@code null} when there is none. */
    static String takeLastError() {
        return LastError.take();
    }

    /** {@code smem_init}: the JVM is up when this runs; upstream only sets a flag and logs its version. */
    static int init(int flags) {
        initialized = true;
        LOG.info("memfabric C library: JVM {} {}, flags={}", System.getProperty("java.vm.name"),
                Runtime.version(), flags);
        return LastError.SM_OK;
    }

    /** {@code smem_uninit}: clears the flag; the JVM and every open object stay (as upstream's does nothing more). */
    static void uninit() {
        initialized = false;
    }

    /** @return whether {@code smem_init} was called and {@code smem_uninit} not since. */
    static boolean isInitialized() {
        return initialized;
    }

    /** {@code smem_create_config_store}: a store on {@code url}, in this process until it exits. */
    static int createConfigStore(String url) {
        try {
            StoreServers.start(url);
            return LastError.SM_OK;
        } catch (Throwable t) {
            int code = LastError.fail("smem_create_config_store", t, LastError.SM_ERROR);
            return code == LastError.SM_INVALID_PARAM ? code : LastError.SM_ERROR;
        }
    }
}
