package io.memfabric.bm;

import io.memfabric.copy.CopyEngine;
import io.memfabric.copy.PeerView;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.transport.Direction;
import io.memfabric.transport.Space;

import java.lang.foreign.MemorySegment;

/**
 * The copy API of a {@link BigMemorySpace} behind its facade: upstream's argument rules for each {@link CopyType}
 * ({@link CopyChecks}), then the check of every global side against the copy engine's {@link PeerView} — the rank's
 * one membership view — and then the engine. Local segments may belong to any arena: the engine never hands a
 * segment of a confined arena to another thread (it does not stripe or split such a copy), so nothing is chunked
 * here.
 *
 * <p>Allocation: none on the synchronous paths unless a check throws; one handle per asynchronous call.
 *
 * <p>Thread safety: any method from any thread.
 */
final class SpaceCopies {
    private final String label;
    private final int rank;
    private final CopyEngine engine;
    private final MemberState state;

    SpaceCopies(String label, int rank, CopyEngine engine, MemberState state) {
        this.label = label;
        this.rank = rank;
        this.engine = engine;
        this.state = state;
    }

    void write(MemorySegment src, long dstGva, long size, CopyType type) {
        CopyChecks.checkWrite("copy", src, dstGva, size, type);
        checkGlobal(engine.view(), type, dstGva, size);
        engine.write(src, dstGva, size);
    }

    void read(long srcGva, MemorySegment dst, long size, CopyType type) {
        CopyChecks.checkRead("copy", srcGva, dst, size, type);
        checkGlobal(engine.view(), type, srcGva, size);
        engine.read(srcGva, dst, size);
    }

    /**
     * L2G from {@code src} at {@code srcOffset}: the checked global side is addressed as a target (rank, slot, offset),
     * which the engine copies to from any offset of a segment.
     */
    void write(MemorySegment src, long srcOffset, long dstGva, long size, CopyType type) {
        CopyChecks.checkWrite("copy", src, srcOffset, dstGva, size, type);
        AddressSpace l = checkGlobal(engine.view(), type, dstGva, size);
        engine.targets().writeTo(src, srcOffset, l.rankOf(dstGva), Space.of(l.typeOf(dstGva)), l.offsetOf(dstGva),
                size);
    }

    /** G2L to {@code dst} at {@code dstOffset}; the mirror of the offset form of {@code write}. */
    void read(long srcGva, MemorySegment dst, long dstOffset, long size, CopyType type) {
        CopyChecks.checkRead("copy", srcGva, dst, dstOffset, size, type);
        AddressSpace l = checkGlobal(engine.view(), type, srcGva, size);
        engine.targets().readFrom(l.rankOf(srcGva), Space.of(l.typeOf(srcGva)), l.offsetOf(srcGva), dst, dstOffset,
                size);
    }

    void copy(long srcGva, long dstGva, long size, CopyType type) {
        CopyChecks.checkCopy("copy", srcGva, dstGva, size, type);
        PeerView view = engine.view();
        checkGlobal(view, type, srcGva, size);
        checkGlobal(view, type, dstGva, size);
        engine.copy(srcGva, dstGva, size);
    }

    CopyCompletion writeAsync(MemorySegment src, long dstGva, long size, CopyType type) {
        CopyChecks.checkWrite("copyAsync", src, dstGva, size, type);
        CopyChecks.checkShareable("copyAsync", type, "src", src);
        checkGlobal(engine.view(), type, dstGva, size);
        return new HandleCompletion(engine.writeAsync(src, dstGva, size));
    }

    CopyCompletion readAsync(long srcGva, MemorySegment dst, long size, CopyType type) {
        CopyChecks.checkRead("copyAsync", srcGva, dst, size, type);
        CopyChecks.checkShareable("copyAsync", type, "dst", dst);
        checkGlobal(engine.view(), type, srcGva, size);
        return new HandleCompletion(engine.readAsync(srcGva, dst, size));
    }

    CopyCompletion copyAsync(long srcGva, long dstGva, long size, CopyType type) {
        CopyChecks.checkCopy("copyAsync", srcGva, dstGva, size, type);
        PeerView view = engine.view();
        checkGlobal(view, type, srcGva, size);
        checkGlobal(view, type, dstGva, size);
        return new HandleCompletion(engine.copyAsync(srcGva, dstGva, size));
    }

    void batch(BigMemoryBatch batch) {
        checkBatch(batch);
        if (batch.confinedSegments() == 0) {
            engine.execute(batch.engineBatch());
            return;
        }
        // Segments of a confined arena may only be touched by this thread: copy element by element, here.
        for (int i = 0, n = batch.size(); i < n; i++) {
            switch (batch.kind(i)) {
                case WRITE -> write(batch.segment(i), batch.localOffset(i), batch.dstGva(i), batch.sizeOf(i),
                        batch.type(i));
                case READ -> read(batch.srcGva(i), batch.segment(i), batch.localOffset(i), batch.sizeOf(i),
                        batch.type(i));
                case COPY -> engine.copy(batch.srcGva(i), batch.dstGva(i), batch.sizeOf(i));
            }
        }
    }

    CopyCompletion batchAsync(BigMemoryBatch batch) {
        checkBatch(batch);
        if (batch.confinedSegments() > 0) {
            throw CopyChecks.invalid(label + ": copyBatchAsync: " + batch.confinedSegments() + " of the batch's "
                    + "segments belong to a confined arena, which only its owner thread may access, but asynchronous "
                    + "copies run on the copy engine's threads (expected: segments of a shared, global or automatic "
                    + "arena, or heap segments; or copyBatch)");
        }
        return new HandleCompletion(engine.submit(batch.engineBatch()));
    }

    private void checkBatch(BigMemoryBatch batch) {
        if (batch == null || batch.isEmpty()) {
            throw CopyChecks.invalid(label + ": copyBatch of " + (batch == null ? "null" : "an empty batch")
                    + " (expected: at least one element)");
        }
        PeerView view = engine.view();
        for (int i = 0, n = batch.size(); i < n; i++) {
            CopyType type = batch.type(i);
            long size = batch.sizeOf(i);
            Direction kind = batch.kind(i);
            if (kind != Direction.WRITE) {
                checkGlobal(view, type, batch.srcGva(i), size);
            }
            if (kind != Direction.READ) {
                checkGlobal(view, type, batch.dstGva(i), size);
            }
        }
    }

    /**
     * The range and reachability check of one global side; allocates nothing unless it throws.
     *
     * @return the layout it was checked against
     */
    private AddressSpace checkGlobal(PeerView view, CopyType type, long gva, long size) {
        AddressSpace l = view.layout();
        int peer = l.rankOf(gva);
        if (peer >= 0 && peer != rank && !view.isReachable(peer)) {
            throw new PeerLostException(peer, label + ": copy " + type + ": gva=" + CopyChecks.hex(gva)
                    + " is in the slot of rank " + peer + ", which is not a member this rank can reach (not joined, "
                    + "left, or failed; members " + state.membersText() + ")");
        }
        if (l.offsetInRange(gva, size) < 0) {
            l.checkRange(label + ": copy " + type, gva, size);
        }
        return l;
    }
}
