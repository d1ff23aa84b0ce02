package io.memfabric.error;

/**
 * A peer rank is gone: it left, was evicted after a failure, or cannot be reached.
 * {@link ErrorCode#PEER_UNAVAILABLE}.
 */
public class PeerLostException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    private final int rank;

    /**
     * @param rank    the rank that is gone
     * @param message what was attempted, and the epoch or transport involved
     */
    public PeerLostException(int rank, String message) {
        super(ErrorCode.PEER_UNAVAILABLE, message);
        this.rank = rank;
    }

    /** @return the rank that is gone. */
    public int rank() {
        return rank;
    }
}
