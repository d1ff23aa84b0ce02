package io.memfabric.error;

/**
 * A config-store failure: an error reply from the server (its first word is the code name, or a Redis kind word such
 * as {@code ERR} or {@code NOAUTH}), a lost connection, or a closed client.
 */
public class StoreException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code    one of the store codes
     * @param message what failed
     */
    public StoreException(ErrorCode code, String message) {
        super(code, message);
    }

    /**
     * @param code    one of the store codes
     * @param message what failed
     * @param cause   the underlying failure
     */
    public StoreException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
