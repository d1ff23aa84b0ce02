package io.memfabric.error;

/**
 * A malformed or oversized wire frame (RESP or data plane); {@link ErrorCode#PROTOCOL_ERROR} unless a more specific
 * code is given.
 */
public class ProtocolException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, naming the value and what was expected */
    public ProtocolException(String message) {
        super(ErrorCode.PROTOCOL_ERROR, message);
    }

    /**
     * @param code    a more specific code
     * @param message what was wrong, naming the value and what was expected
     */
    public ProtocolException(ErrorCode code, String message) {
        super(code, message);
    }

    /**
     * @param message what was wrong
     * @param cause   the underlying failure
     */
    public ProtocolException(String message, Throwable cause) {
        super(ErrorCode.PROTOCOL_ERROR, message, cause);
    }
}
