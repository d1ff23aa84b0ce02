package io.memfabric.nativeapi;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

/**
 * The failure message of each thread, and the upstream code of a failure. A bridge method that fails stores its
 * message here and returns the code; the C side, seeing a non-zero code, fetches the message ({@link #take}) into its
 * own thread-local last error (upstream {@code smem_get_last_err_msg}). Messages name the C function, memfabric's
 * error code and the bad value: {@code smem_bm_copy: [ADDRESS_OUT_OF_RANGE/-2302] copy H2G: gva=0x... length=...}.
 *
 * <p>Upstream's codes: memfabric keeps upstream's numbers for the {@code SM_*} codes, which pass as they are; a range
 * outside a slot or a registered region is {@code SM_INVALID_PARAM} (upstream checks ranges as parameters), a store
 * timeout {@code SM_TIMEOUT}, other store and data-plane failures {@code SM_ERROR}. A lost or unknown peer is
 * {@code SM_ERROR} for BM and {@code SM_INVALID_PARAM} for TRANS (upstream's "unknown peer" rule).
 *
 * <p>Thread safety: per thread.
 */
final class LastError {
    static final int SM_OK = 0;
    static final int SM_ERROR = ErrorCode.ERROR.value();
    static final int SM_INVALID_PARAM = ErrorCode.INVALID_PARAM.value();
    static final int SM_NOT_INITIALIZED = ErrorCode.NOT_INITIALIZED.value();

    private static final ThreadLocal<String> MESSAGE = new ThreadLocal<>();

    private LastError() {
    }

    /**
     * Records a failure of {@code what}.
     *
     * @param peerLostCode the code of a lost or unknown peer in this API
     * @return the upstream code to return to C
     */
    static int fail(String what, Throwable failure, int peerLostCode) {
        MESSAGE.set(what + ": " + describe(failure));
        return code(failure, peerLostCode);
    }

    /** Records a failure that is not an exception; returns {@code code}. */
    static int fail(int code, String message) {
        MESSAGE.set(message);
        return code;
    }

    /** @return this thread's message, cleared; or {@code null} when there is none (called by the C side). */
    static String take() {
        String message = MESSAGE.get();
        MESSAGE.remove();
        return message;
    }

    static int code(Throwable failure, int peerLostCode) {
        if (failure instanceof MemFabricException e) {
            return code(e.code(), peerLostCode);
        }
        if (failure instanceof IllegalArgumentException || failure instanceof NullPointerException) {
            return SM_INVALID_PARAM;
        }
        if (failure instanceof OutOfMemoryError) {
            return ErrorCode.MALLOC_FAILED.value();
        }
        return SM_ERROR;
    }

    /** @return the upstream code of memfabric's {@code code}. */
    static int code(ErrorCode code, int peerLostCode) {
        int value = code.value();
        if (value == SM_ERROR || (value <= SM_INVALID_PARAM && value >= ErrorCode.GET_OBJECT.value())) {
            return value;
        }
        return switch (code) {
            case ADDRESS_OUT_OF_RANGE -> SM_INVALID_PARAM;
            case PEER_UNAVAILABLE -> peerLostCode;
            case STORE_TIMEOUT -> ErrorCode.TIMEOUT.value();
            default -> SM_ERROR;
        };
    }

    private static String describe(Throwable failure) {
        if (failure instanceof MemFabricException e) {
            return "[" + e.code() + "/" + e.code().value() + "] " + e.getMessage();
        }
        return failure.toString();
    }
}
