package io.memfabric.error;

/** A blocking call passed its deadline. The message says what was awaited and for how long. */
public class MemFabricTimeoutException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    /** @param message what was awaited, and for how long */
    public MemFabricTimeoutException(String message) {
        super(ErrorCode.TIMEOUT, message);
    }

    /**
     * @param code    {@link ErrorCode#TIMEOUT} or {@link ErrorCode#STORE_TIMEOUT}
     * @param message what was awaited, and for how long
     */
    public MemFabricTimeoutException(ErrorCode code, String message) {
        super(code, message);
    }
}
