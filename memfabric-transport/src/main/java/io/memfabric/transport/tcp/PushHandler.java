package io.memfabric.transport.tcp;

import io.memfabric.transport.Space;

/**
 * Carries out a third-party PUSH received by this rank's data listener: copy a range of this rank's own slot to
 * another rank, by whatever route this rank has to it, so that a global-to-global copy between two remote ranks moves
 * the data once (source to destination) instead of through the rank that asked. Implemented by the copy layer.
 *
 * <p>Thread safety: called on listener threads, several at once.
 */
@FunctionalInterface
public interface PushHandler {
    /**
     * @param srcSpace   this rank's slot space holding the source
     * @param srcOffset  offset of the source in that slot (already range-checked by the listener)
     * @param length     bytes
     * @param dstRank    the destination rank
     * @param dstSpace   the destination's slot space
     * @param dstOffset  offset in the destination's slot (checked by the handler against its layout)
     * @return 0 on success, else a negative {@code ErrorCode} value for the reply
     */
    int push(Space srcSpace, long srcOffset, long length, int dstRank, Space dstSpace, long dstOffset);
}
