package io.memfabric.store.protocol;

/** Test access to the protocol package's package-private factories. */
public final class RespProtocolAccess {
    private RespProtocolAccess() {
    }

    /** @return a command decoder whose parser copies at most {@code windowBytes} of a direct buffer at a time. */
    public static RespCommandDecoder decoder(RespLimits limits, int windowBytes) {
        return new RespCommandDecoder(limits, windowBytes);
    }
}
