package io.memfabric.error;

/** A bad configuration value or argument; {@link ErrorCode#INVALID_PARAM}. */
public class ConfigurationException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, naming the value and what was expected */
    public ConfigurationException(String message) {
        super(ErrorCode.INVALID_PARAM, message);
    }

    /**
     * @param code    a more specific code
     * @param message what was wrong, naming the value and what was expected
     */
    public ConfigurationException(ErrorCode code, String message) {
        super(code, message);
    }

    /**
     * @param message what was wrong
     * @param cause   the underlying failure
     */
    public ConfigurationException(String message, Throwable cause) {
        super(ErrorCode.INVALID_PARAM, message, cause);
    }
}
