package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.transport.Direction;
import io.memfabric.transport.TransferOps;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Runs a {@link CopyBatch}: every global range is checked first (nothing moves when one is bad); then the elements are
 * grouped per peer (upstream's batch engines regroup by rank pair too) and the groups run concurrently on the
 * engine's workers and the calling thread. Within a group of a tcp peer, the writes and reads are pipelined on one
 * connection.
 *
 * <p>Allocation: one task per group, and one {@link TransferOps} per pipelined group; the grouping scratch lives in
 * the batch.
 *
 * <p>Thread safety: any method from any thread, for different batches.
 */
final class BatchRunner {
    private final int rank;
    private final PeerTable peers;
    private final SyncCopies sync;
    private final TransferPath path;
    private final Workers workers;
    private final AsyncCopies async;
    private final long spinNs;

    BatchRunner(int rank, PeerTable peers, SyncCopies sync, TransferPath path, Workers workers, AsyncCopies async,
                long spinNs) {
        this.rank = rank;
        this.peers = peers;
        this.sync = sync;
        this.path = path;
        this.workers = workers;
        this.async = async;
        this.spinNs = spinNs;
    }

    /**
     * Checks and starts a batch.
     *
     * @param batch the copies, not empty
     * @param asynchronous whether the handle is counted by {@code awaitAll} and the groups all run on workers; a
     *                     synchronous run executes groups on this thread too and waits for them
     * @return the batch's handle
     */
    CopyHandle start(CopyBatch batch, boolean asynchronous) {
        int n = batch.size();
        PeerView view = peers.view();
        AddressSpace layout = view.layout();
        long[] keys = batch.sortScratch(n);
        boolean shareable = true;
        for (int i = 0; i < n; i++) {
            long length = batch.lengths[i];
            MemorySegment local = batch.locals[i];
            if (local != null && !path.isShareable(local)) {
                if (asynchronous) {
                    throw new ConfigurationException("batch element " + i + " belongs to a confined arena of another "
                            + "thread (expected: a segment the engine's threads may access, e.g. of a shared or "
                            + "automatic arena, or on the heap)");
                }
                shareable = false;
            }
            int peer;
            switch (batch.directions[i]) {
                case WRITE -> {
                    view.locate("copy batch L2G", batch.destinationGvas[i], length, peers);
                    peer = layout.rankOf(batch.destinationGvas[i]);
                }
                case READ -> {
                    view.locate("copy batch G2L", batch.sourceGvas[i], length, peers);
                    peer = layout.rankOf(batch.sourceGvas[i]);
                }
                default -> {
                    view.locate("copy batch G2G", batch.sourceGvas[i], length, peers);
                    view.locate("copy batch G2G", batch.destinationGvas[i], length, peers);
                    int src = layout.rankOf(batch.sourceGvas[i]);
                    peer = src == rank || isMapped(view, src) ? layout.rankOf(batch.destinationGvas[i]) : src;
                }
            }
            keys[i] = ((long) peer << 32) | i;
        }
        Arrays.sort(keys, 0, n);
        int groups = 1;
        for (int i = 1; i < n; i++) {
            if ((keys[i] >>> 32) != (keys[i - 1] >>> 32)) {
                groups++;
            }
        }
        CopyHandle handle = asynchronous ? async.newHandle(groups) : new CopyHandle(null, groups, spinNs);
        Group[] parts = new Group[groups];
        int from = 0;
        int g = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || (keys[i] >>> 32) != (keys[i - 1] >>> 32)) {
                parts[g++] = new Group(handle, batch, keys, from, i);
                from = i;
            }
        }
        // Segments of this thread's confined arena can only be copied by this thread: then it runs every group.
        for (int k = asynchronous ? 0 : 1; shareable && k < groups; k++) {
            workers.submit(parts[k]);
        }
        if (!asynchronous) {
            parts[0].run();
            // Run the groups no worker has started yet (so that waiting never needs a free worker).
            for (int k = 1; k < groups; k++) {
                parts[k].run();
            }
        }
        return handle;
    }

    private boolean isMapped(PeerView view, int r) {
        Peer peer = r >= 0 && r != rank ? view.peer(r) : null;
        return peer != null && peer.route == Route.SHM;
    }

    /** One batch group: the elements of one peer, run in order. */
    private final class Group extends PartTask {
        private final CopyBatch batch;
        private final long[] keys;
        private final int from;
        private final int to;

        Group(CopyHandle handle, CopyBatch batch, long[] keys, int from, int to) {
            super(handle);
            this.batch = batch;
            this.keys = keys;
            this.from = from;
            this.to = to;
        }

        @Override
        void body() {
            int peerRank = (int) (keys[from] >>> 32);
            Peer peer = peerRank != rank ? peers.view().peer(peerRank) : null;
            if (peer != null && peer.route == Route.TCP && to - from > 1) {
                pipelined(peerRank);
                return;
            }
            for (int k = from; k < to; k++) {
                run((int) keys[k]);
            }
        }

        private void run(int i) {
            long length = batch.lengths[i];
            switch (batch.directions[i]) {
                case WRITE -> sync.writeGlobal(batch.locals[i], 0, batch.destinationGvas[i], length,
                        "copy batch L2G");
                case READ -> sync.readGlobal(batch.sourceGvas[i], batch.locals[i], 0, length, "copy batch G2L");
                case COPY -> sync.copyGlobal(batch.sourceGvas[i], batch.destinationGvas[i], length, "copy batch G2G");
            }
        }

        /** The writes and reads of a tcp peer, pipelined on one connection; then its G2G elements one by one. */
        private void pipelined(int peerRank) {
            PeerView view = peers.view();
            TransferOps ops = new TransferOps(to - from);
            boolean copies = false;
            for (int k = from; k < to; k++) {
                int i = (int) keys[k];
                long length = batch.lengths[i];
                Direction direction = batch.directions[i];
                if (direction == Direction.COPY) {
                    copies = true;
                    continue;
                }
                long gva = direction == Direction.WRITE ? batch.destinationGvas[i] : batch.sourceGvas[i];
                long offset = view.locate("copy batch", gva, length, peers);
                if (direction == Direction.WRITE) {
                    ops.addWrite(batch.locals[i], 0, SyncCopies.spaceOf(gva), offset, length);
                } else {
                    ops.addRead(SyncCopies.spaceOf(gva), offset, batch.locals[i], 0, length);
                }
            }
            if (ops.size() > 0) {
                Peer peer = peers.acquire(view, peerRank, "copy batch");
                try {
                    path.pipelined(peer, ops);
                } finally {
                    peer.release();
                }
            }
            if (copies) {
                for (int k = from; k < to; k++) {
                    int i = (int) keys[k];
                    if (batch.directions[i] == Direction.COPY) {
                        run(i);
                    }
                }
            }
        }
    }
}
