package io.memfabric.copy;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryType;
import io.memfabric.transport.Space;
import io.memfabric.transport.tcp.PushHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a third-party PUSH received by this rank's data listener: a range of this rank's own slot goes to another
 * rank's target by the same transfer path as every other copy, so that a G2G copy between two remote ranks moves the
 * data once. The listener has checked the source range; the destination is checked here against this rank's view
 * (an unknown rank or an offset past the stride is {@code ADDRESS_OUT_OF_RANGE}, as a peer's listener would answer).
 *
 * <p>Thread safety: called on listener threads, several at once.
 */
final class PushService implements PushHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PushService.class);

    private final int rank;
    private final CloseOnce engineClosed;
    /** Set once the engine is wired (the listener starts before the peers exist); a PUSH before that fails typed. */
    private volatile PeerTable peers;
    private volatile SyncCopies sync;

    PushService(int rank, CloseOnce engineClosed) {
        this.rank = rank;
        this.engineClosed = engineClosed;
    }

    /** Connects the service to the parts it copies with, once they exist. */
    void attach(PeerTable table, SyncCopies copies) {
        this.sync = copies;
        this.peers = table;
    }

    @Override
    public int push(Space srcSpace, long srcOffset, long length, int dstRank, Space dstSpace, long dstOffset) {
        try {
            PeerTable table = peers;
            if (engineClosed.isClosed() || table == null) {
                return ErrorCode.NOT_INITIALIZED.value();
            }
            AddressSpace layout = table.view().layout();
            MemoryType type = dstSpace.memoryType();
            if (type == null || dstRank < 0 || dstRank >= layout.worldSize() || dstOffset < 0
                    || dstOffset >= layout.strideBytes(type)) {
                return ErrorCode.ADDRESS_OUT_OF_RANGE.value();
            }
            sync.writeTarget(sync.own(srcSpace), srcOffset, dstRank, dstSpace, dstOffset, length, "push G2G");
            return 0;
        } catch (MemFabricException e) {
            return e.code().value();
        } catch (RuntimeException e) {
            LOG.warn("rank {}: third-party push to rank {} failed", rank, dstRank, e);
            return ErrorCode.ERROR.value();
        }
    }
}
