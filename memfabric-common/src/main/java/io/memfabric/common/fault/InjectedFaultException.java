package io.memfabric.common.fault;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

/**
 * The exception an armed {@link FaultAction#fail()} throws: a {@link MemFabricException} with the action's code, so
 * that it travels the same paths as a real failure of that code; its message names the point and the pass.
 *
 * <p>Thread safety: immutable.
 */
public final class InjectedFaultException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code    the code the failure carries
     * @param message {@code fault injected at <point> (pass <n>)}
     */
    public InjectedFaultException(ErrorCode code, String message) {
        super(code, message);
    }
}
