package io.memfabric.bm;

import java.time.Duration;

/**
 * The completion of an asynchronous copy or batch ({@link BigMemorySpace#copyAsync}, {@link
 * BigMemorySpace#copyBatchAsync}). Polling is the status form, for loops that must not throw (STYLE B4); awaiting is
 * the exception form.
 *
 * <p>Thread safety: every method may be called from any thread, any number of times.
 */
public interface CopyCompletion {
    /** {@link #poll()}: the copy has completed successfully. */
    int DONE = 0;
    /** {@link #poll()}: the copy is still running; poll again later. */
    int PENDING = 1;

    /**
     * Checks the copy without blocking and without allocating.
     *
     * @return {@link #DONE}; {@link #PENDING}; or the negative {@link io.memfabric.error.ErrorCode#value()} of the
     *         failure ({@code PEER_UNAVAILABLE} when the peer was lost, {@code ADDRESS_OUT_OF_RANGE}, ...), after
     *         which {@link #await()} throws the matching exception
     */
    int poll();

    /**
     * Waits for the copy to complete.
     *
     * @throws io.memfabric.error.MemFabricException the copy's failure, e.g.
     *                                               {@link io.memfabric.error.PeerLostException}
     *                                               ({@code PEER_UNAVAILABLE})
     */
    void await();

    /**
     * Waits at most {@code timeout} for the copy to complete.
     *
     * @param timeout how long to wait
     * @return whether the copy completed (successfully) in time; false when it is still pending
     * @throws io.memfabric.error.MemFabricException the copy's failure
     */
    boolean await(Duration timeout);
}
