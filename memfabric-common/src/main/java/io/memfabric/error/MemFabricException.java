package io.memfabric.error;

import java.util.Objects;

/**
 * The root of every exception memfabric throws. Carries an {@link ErrorCode}; the message names the operation, the
 * offending value and the limit it broke.
 */
public class MemFabricException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code    the error code
     * @param message what failed, naming the bad value
     */
    public MemFabricException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * @param code    the error code
     * @param message what failed, naming the bad value
     * @param cause   the underlying failure
     */
    public MemFabricException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** @return the error code of this failure. */
    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return getClass().getName() + ": [" + code + "/" + code.value() + "] " + getMessage();
    }
}
