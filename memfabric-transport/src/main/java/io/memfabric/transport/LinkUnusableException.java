package io.memfabric.transport;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

/**
 * A transport found that it cannot serve a peer after all (for instance the kernel refuses cma to that process):
 * nothing was copied, and the copy layer retries over the next route and records why. Never reaches users.
 *
 * <p>Thread safety: immutable.
 */
public final class LinkUnusableException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    /** @param message why the link cannot be used, for {@code routeReason} */
    public LinkUnusableException(String message) {
        super(ErrorCode.ERROR, message);
    }
}
