package io.memfabric.copy;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.transport.Direction;
import io.memfabric.transport.Space;
import io.memfabric.transport.TransferOps;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Runs a {@link CopyBatch}: every element is resolved first — a global address to its rank's slot, a target checked
 * against the view — then the elements are grouped per peer (upstream's batch engines regroup by rank pair too) and the
 * groups run concurrently on the engine's workers and the calling thread. Within a group of a tcp peer, the writes and
 * reads are pipelined on one connection. Every element's result is recorded in the batch.
 *
 * <p>All or nothing (BM): an element that cannot be resolved fails the whole run before anything moves, and the run
 * fails with the first failure of any element. Partial (TRANS): an element that cannot be resolved fails alone, the
 * others run, and the run completes with each element's result in the batch.
 *
 * <p>Allocation: one task per group, and one {@link TransferOps} per pipelined group; the grouping and resolution
 * scratch lives in the batch.
 *
 * <p>Thread safety: any method from any thread, for different batches.
 */
final class BatchRunner {
    /** The grouping key of an element that failed to resolve: sorted last, run by no group. */
    private static final long FAILED = Long.MAX_VALUE;

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
     * Resolves and starts a batch.
     *
     * @param batch        the copies, not empty
     * @param asynchronous whether the handle is counted by {@code awaitAll} and the groups all run on workers; a
     *                     synchronous run executes groups on this thread too and waits for them
     * @param partial      whether elements fail alone (see the class documentation)
     * @return the batch's handle
     */
    CopyHandle start(CopyBatch batch, boolean asynchronous, boolean partial) {
        int n = batch.size();
        PeerView view = peers.view();
        long[] keys = batch.prepareRun(n);
        boolean shareable = true;
        for (int i = 0; i < n; i++) {
            MemorySegment local = batch.locals[i];
            if (local != null && !path.isShareable(local)) {
                if (asynchronous) {
                    throw new ConfigurationException("batch element " + i + " belongs to a confined arena of another "
                            + "thread (expected: a segment the engine's threads may access, e.g. of a shared or "
                            + "automatic arena, or on the heap)");
                }
                shareable = false;
            }
            try {
                keys[i] = ((long) resolve(view, batch, i) << 32) | i;
            } catch (MemFabricException e) {
                if (!partial) {
                    throw e;
                }
                batch.failures[i] = e;
                keys[i] = FAILED;
            }
        }
        Arrays.sort(keys, 0, n);
        int runnable = n;
        while (runnable > 0 && keys[runnable - 1] == FAILED) {
            runnable--;
        }
        if (runnable == 0) {
            CopyHandle none = asynchronous ? async.newHandle(1) : new CopyHandle(null, 1, spinNs);
            none.partDone();
            return none;
        }
        int groups = 1;
        for (int i = 1; i < runnable; i++) {
            if ((keys[i] >>> 32) != (keys[i - 1] >>> 32)) {
                groups++;
            }
        }
        CopyHandle handle = asynchronous ? async.newHandle(groups) : new CopyHandle(null, groups, spinNs);
        Group[] parts = new Group[groups];
        int from = 0;
        int g = 0;
        for (int i = 1; i <= runnable; i++) {
            if (i == runnable || (keys[i] >>> 32) != (keys[i - 1] >>> 32)) {
                parts[g++] = new Group(handle, batch, keys, from, i, partial);
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

    /**
     * Resolves element {@code i} into the batch's resolution scratch.
     *
     * @return the rank whose group runs it
     */
    private int resolve(PeerView view, CopyBatch batch, int i) {
        long length = batch.lengths[i];
        AddressSpace layout = view.layout();
        Direction direction = batch.directions[i];
        int target = batch.ranks[i];
        if (target != CopyBatch.BY_GLOBAL_ADDRESS) {
            long address = direction == Direction.WRITE ? batch.destinations[i] : batch.sources[i];
            sync.checkTarget(view, "copy batch element " + i, target, batch.spaces[i], address, length);
            set(batch, i, target, batch.spaces[i], address);
            return target;
        }
        switch (direction) {
            case WRITE -> {
                long gva = batch.destinations[i];
                long offset = view.locate("copy batch L2G", gva, length, peers);
                set(batch, i, layout.rankOf(gva), SyncCopies.spaceOf(gva), offset);
                return layout.rankOf(gva);
            }
            case READ -> {
                long gva = batch.sources[i];
                long offset = view.locate("copy batch G2L", gva, length, peers);
                set(batch, i, layout.rankOf(gva), SyncCopies.spaceOf(gva), offset);
                return layout.rankOf(gva);
            }
            default -> {
                view.locate("copy batch G2G", batch.sources[i], length, peers);
                view.locate("copy batch G2G", batch.destinations[i], length, peers);
                int src = layout.rankOf(batch.sources[i]);
                return src == rank || isMapped(view, src) ? layout.rankOf(batch.destinations[i]) : src;
            }
        }
    }

    private static void set(CopyBatch batch, int i, int r, Space space, long address) {
        batch.resolvedRanks[i] = r;
        batch.resolvedSpaces[i] = space;
        batch.resolvedAddresses[i] = address;
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
        private final boolean partial;

        Group(CopyHandle handle, CopyBatch batch, long[] keys, int from, int to, boolean partial) {
            super(handle);
            this.batch = batch;
            this.keys = keys;
            this.from = from;
            this.to = to;
            this.partial = partial;
        }

        @Override
        void body() {
            int peerRank = (int) (keys[from] >>> 32);
            PeerView view = peers.view();
            Peer peer = peerRank != rank ? view.peer(peerRank) : null;
            MemFabricException first = null;
            boolean pipelined = peer != null && peer.route == Route.TCP && to - from > 1;
            if (pipelined) {
                first = pipelined(view, peerRank);
            }
            for (int k = from; k < to; k++) {
                int i = (int) keys[k];
                if (pipelined && batch.directions[i] != Direction.COPY) {
                    continue; // ran in the pipeline
                }
                try {
                    run(view, i);
                } catch (MemFabricException e) {
                    batch.failures[i] = e;
                    first = first != null ? first : e;
                }
            }
            if (first != null && !partial) {
                throw first;
            }
        }

        private void run(PeerView view, int i) {
            long length = batch.lengths[i];
            switch (batch.directions[i]) {
                case WRITE -> sync.write(view, batch.locals[i], batch.localOffsets[i], batch.resolvedRanks[i],
                        batch.resolvedSpaces[i], batch.resolvedAddresses[i], length, "copy batch write");
                case READ -> sync.read(view, batch.resolvedRanks[i], batch.resolvedSpaces[i],
                        batch.resolvedAddresses[i], batch.locals[i], batch.localOffsets[i], length, "copy batch read");
                case COPY -> sync.copyGlobal(batch.sources[i], batch.destinations[i], length, "copy batch G2G");
            }
        }

        /**
         * The writes and reads of a tcp peer, pipelined on one connection; each element's result recorded.
         *
         * @return the first failure, or null
         */
        private MemFabricException pipelined(PeerView view, int peerRank) {
            TransferOps ops = new TransferOps(to - from);
            int[] elements = new int[to - from];
            for (int k = from; k < to; k++) {
                int i = (int) keys[k];
                Direction direction = batch.directions[i];
                if (direction == Direction.COPY) {
                    continue;
                }
                elements[ops.size()] = i;
                if (direction == Direction.WRITE) {
                    ops.addWrite(batch.locals[i], batch.localOffsets[i], batch.resolvedSpaces[i],
                            batch.resolvedAddresses[i], batch.lengths[i]);
                } else {
                    ops.addRead(batch.resolvedSpaces[i], batch.resolvedAddresses[i], batch.locals[i],
                            batch.localOffsets[i], batch.lengths[i]);
                }
            }
            if (ops.size() == 0) {
                return null;
            }
            MemFabricException thrown = null;
            try {
                Peer peer = peers.acquire(view, peerRank, "copy batch");
                try {
                    path.pipelined(peer, ops);
                } finally {
                    peer.release();
                }
            } catch (MemFabricException e) {
                thrown = e;
            }
            MemFabricException first = null;
            for (int j = 0; j < ops.size(); j++) {
                int status = ops.status(j);
                if (status == 0) {
                    continue;
                }
                int i = elements[j];
                MemFabricException failure = status == TransferOps.NOT_RUN && thrown != null ? thrown
                        : elementFailure(peerRank, i, status);
                batch.failures[i] = failure;
                first = first != null ? first : failure;
            }
            return first != null ? first : thrown;
        }

        private MemFabricException elementFailure(int peerRank, int i, int status) {
            long address = batch.resolvedAddresses[i];
            long length = batch.lengths[i];
            String what = "copy batch element " + i + ": rank " + peerRank + " " + batch.resolvedSpaces[i]
                    + " address=" + address + " length=" + length + ": ";
            ErrorCode code = ErrorCode.of(status);
            return switch (code) {
                case ADDRESS_OUT_OF_RANGE -> new AddressOutOfRangeException(what + "refused by the peer: outside its "
                        + (batch.resolvedSpaces[i] == Space.REGISTERED ? "registered regions" : "slot"), address,
                        length);
                case PEER_UNAVAILABLE -> new PeerLostException(peerRank, what + "the peer is unavailable");
                default -> new MemFabricException(code, what + "failed (" + code + ")");
            };
        }
    }
}
