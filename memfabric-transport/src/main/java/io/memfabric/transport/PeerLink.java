package io.memfabric.transport;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.PeerLostException;

import java.lang.foreign.MemorySegment;

/**
 * A way to move bytes between this process and one peer rank: a mapping (shm), the peer's process (cma) or its data
 * listener (tcp). One interface for all transports, after Mooncake's {@code Transport}; the copy layer picks a link
 * per peer and never needs to know which one it holds.
 *
 * <p>Callers have already checked every range against the layout they know; a link checks again where the memory is
 * (a mapping's size, the peer's listener), so that nothing outside a slot or registered region is ever touched.
 *
 * <p>Lifetimes: the caller keeps {@code local} alive for the duration of a call; a link is closed only after the
 * copies in flight on it have drained (the copy layer counts them).
 *
 * <p>Thread safety: every method may be called from several threads at once, except {@link #close()}.
 */
public interface PeerLink extends AutoCloseable {
    /** @return the peer's rank. */
    int rank();

    /** @return the transport's name: shm, cma or tcp. */
    String transportName();

    /**
     * Copies {@code length} bytes from {@code local} at {@code localOffset} to the peer.
     *
     * @param local         the source in this process (any segment)
     * @param localOffset   where in {@code local} to start
     * @param space         which of the peer's memories
     * @param remoteAddress offset in the peer's slot, or address of its registered region
     * @param length        bytes, at least 1
     * @throws PeerLostException            {@code PEER_UNAVAILABLE} when the peer is gone or silent past the timeout
     * @throws AddressOutOfRangeException   when the peer's side of the range is not backed
     * @throws LinkUnusableException        when this transport cannot reach this peer after all (e.g. cma forbidden
     *                                      for this process): the caller falls back to another route; nothing was
     *                                      copied
     */
    void write(MemorySegment local, long localOffset, Space space, long remoteAddress, long length);

    /**
     * Copies {@code length} bytes from the peer to {@code local} at {@code localOffset}.
     *
     * @param space         which of the peer's memories
     * @param remoteAddress offset in the peer's slot, or address of its registered region
     * @param local         the destination in this process (any writable segment)
     * @param localOffset   where in {@code local} to start
     * @param length        bytes, at least 1
     * @throws PeerLostException            as for {@link #write}
     * @throws AddressOutOfRangeException   as for {@link #write}
     * @throws LinkUnusableException        as for {@link #write}
     */
    void read(Space space, long remoteAddress, MemorySegment local, long localOffset, long length);

    /**
     * @param space a slot space
     * @return the peer's slot mapped into this process, for direct loads and stores, or {@code null} when this link
     *         does not map the peer's memory
     */
    default MemorySegment mapped(Space space) {
        return null;
    }

    /** Releases the link's resources (mappings, connections). Idempotent; never called while copies are in flight. */
    @Override
    void close();
}
