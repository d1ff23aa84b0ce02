package io.memfabric.copy;

import io.memfabric.common.idle.AdaptiveBusyWait;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.transport.Space;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asynchronous copies and their accounting: each one gets a {@link CopyHandle}; small same-host copies are done before
 * the call returns (no hand-off costs less than they do), the others run on the engine's workers. {@link #awaitAll()}
 * waits for every outstanding copy and batch, and reports the first failure among those completed since the last
 * call (upstream {@code smem_bm_wait}).
 *
 * <p>Allocation: a handle and one task per asynchronous copy.
 *
 * <p>Thread safety: any method from any thread.
 */
final class AsyncCopies implements CopyHandle.Listener {
    private final int rank;
    private final PeerTable peers;
    private final SyncCopies sync;
    private final Workers workers;
    private final long inlineBytes;
    private final long spinNs;
    private final AtomicLong outstanding = new AtomicLong();
    private final Object idleLock = new Object();
    private final AtomicReference<MemFabricException> failure = new AtomicReference<>();

    AsyncCopies(int rank, PeerTable peers, SyncCopies sync, Workers workers, long inlineBytes, long spinNs) {
        this.rank = rank;
        this.peers = peers;
        this.sync = sync;
        this.workers = workers;
        this.inlineBytes = inlineBytes;
        this.spinNs = spinNs;
    }

    /** Starts a checked L2G copy. */
    CopyHandle write(MemorySegment src, long dstGva, long length) {
        if (isDirect(dstGva, length)) {
            return doneNow(() -> sync.writeGlobal(src, 0, dstGva, length, "copy L2G"));
        }
        CopyHandle handle = newHandle(1);
        workers.submit(new PartTask(handle) {
            @Override
            void body() {
                sync.writeGlobal(src, 0, dstGva, length, "copy L2G");
            }
        });
        return handle;
    }

    /** Starts a checked G2L copy. */
    CopyHandle read(long srcGva, MemorySegment dst, long length) {
        if (isDirect(srcGva, length)) {
            return doneNow(() -> sync.readGlobal(srcGva, dst, 0, length, "copy G2L"));
        }
        CopyHandle handle = newHandle(1);
        workers.submit(new PartTask(handle) {
            @Override
            void body() {
                sync.readGlobal(srcGva, dst, 0, length, "copy G2L");
            }
        });
        return handle;
    }

    /** Starts a checked G2G copy. */
    CopyHandle copy(long srcGva, long dstGva, long length) {
        if (isDirect(srcGva, length) && isDirect(dstGva, length)) {
            return doneNow(() -> sync.copyGlobal(srcGva, dstGva, length, "copy G2G"));
        }
        CopyHandle handle = newHandle(1);
        workers.submit(new PartTask(handle) {
            @Override
            void body() {
                sync.copyGlobal(srcGva, dstGva, length, "copy G2G");
            }
        });
        return handle;
    }

    /** Starts a write to a target; the target is checked now. */
    CopyHandle writeTo(MemorySegment src, long srcOffset, int r, Space space, long address, long length) {
        PeerView view = peers.view();
        sync.checkTarget(view, "write", r, space, address, length);
        CopyHandle handle = newHandle(1);
        workers.submit(new PartTask(handle) {
            @Override
            void body() {
                sync.write(peers.view(), src, srcOffset, r, space, address, length, "write");
            }
        });
        return handle;
    }

    /** Starts a read from a target; the target is checked now. */
    CopyHandle readFrom(int r, Space space, long address, MemorySegment dst, long dstOffset, long length) {
        PeerView view = peers.view();
        sync.checkTarget(view, "read", r, space, address, length);
        CopyHandle handle = newHandle(1);
        workers.submit(new PartTask(handle) {
            @Override
            void body() {
                sync.read(peers.view(), r, space, address, dst, dstOffset, length, "read");
            }
        });
        return handle;
    }

    /**
     * Waits until every asynchronous copy and batch has completed, then throws the first failure among those that
     * completed since the previous call.
     */
    void awaitAll() {
        AdaptiveBusyWait busy = new AdaptiveBusyWait(spinNs);
        while (outstanding.get() > 0 && busy.idle()) {
            // busy phase: the copies in flight are usually short
        }
        if (outstanding.get() > 0) {
            synchronized (idleLock) {
                while (outstanding.get() > 0) {
                    try {
                        idleLock.wait(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new MemFabricException(ErrorCode.ERROR, "interrupted in awaitAll", e);
                    }
                }
            }
        }
        MemFabricException first = failure.getAndSet(null);
        if (first != null) {
            throw CopyHandle.rethrow(first);
        }
    }

    /** @return how many asynchronous copies and batches have not completed. */
    long outstanding() {
        return outstanding.get();
    }

    @Override
    public void completed(CopyHandle handle, MemFabricException f) {
        if (f != null) {
            failure.compareAndSet(null, f);
        }
        if (outstanding.decrementAndGet() == 0) {
            synchronized (idleLock) {
                idleLock.notifyAll();
            }
        }
    }

    /** @return a handle of {@code parts} parts counted by {@link #awaitAll()}. */
    CopyHandle newHandle(int parts) {
        outstanding.incrementAndGet();
        return new CopyHandle(this, parts, spinNs);
    }

    /** Runs a small copy at once and returns its completed handle. */
    CopyHandle doneNow(Runnable copy) {
        CopyHandle handle = newHandle(1);
        try {
            copy.run();
            handle.partDone();
        } catch (MemFabricException e) {
            handle.partFailed(e);
        }
        return handle;
    }

    /** @return whether a copy of this range is a small copy of own or mapped memory (done inline). */
    private boolean isDirect(long gva, long length) {
        if (length >= inlineBytes) {
            return false;
        }
        PeerView v = peers.view();
        int r = v.layout().rankOf(gva);
        if (r == rank) {
            return true;
        }
        Peer peer = r >= 0 ? v.peer(r) : null;
        return peer != null && peer.route == Route.SHM;
    }
}
