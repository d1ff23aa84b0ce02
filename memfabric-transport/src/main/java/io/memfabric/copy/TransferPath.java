package io.memfabric.copy;

import io.memfabric.error.PeerLostException;
import io.memfabric.transport.LinkUnusableException;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.Space;
import io.memfabric.transport.TransferOps;

import java.lang.foreign.MemorySegment;

/**
 * The one path by which bytes move between local memory and a peer's memory, whatever addressed them (a global
 * address of BM or SHM, a registered address of TRANS, a third-party PUSH): a <i>target</i> is a peer plus a space
 * (its HOST or DEVICE slot, or its registered memory) plus an address in that space. The path takes the peer's
 * current route; a large tcp transfer is striped over the peer's connections, one thread per stripe; a route that
 * turns out unusable falls back to the next one and the transfer is retried; a loss that is final evicts the peer.
 *
 * <p>This is also the one place where a local segment of a confined arena is handled: such a segment can only be
 * touched by its owner thread, so its transfers are never striped (and never split over the shm copy threads, which
 * {@link io.memfabric.transport.shm.SegmentCopier} checks the same way).
 *
 * <p>Allocation: a transfer allocates nothing, except a striped one (one handle and one task per stripe, for
 * transfers of at least two stripes).
 *
 * <p>Thread safety: any method from any thread; the caller pins the peer ({@link PeerTable#acquire}) around a call.
 */
final class TransferPath {
    private final int rank;
    private final LinkFactory linkFactory;
    private final Workers workers;
    private final long stripeBytes;
    private final long spinNs;

    TransferPath(int rank, LinkFactory linkFactory, Workers workers, long stripeBytes, long spinNs) {
        this.rank = rank;
        this.linkFactory = linkFactory;
        this.workers = workers;
        this.stripeBytes = stripeBytes;
        this.spinNs = spinNs;
    }

    /** Copies {@code length} bytes from {@code src} at {@code srcOffset} to the target. */
    void write(Peer peer, MemorySegment src, long srcOffset, Space space, long address, long length) {
        transfer(peer, true, src, srcOffset, space, address, length);
    }

    /** Copies {@code length} bytes from the target to {@code dst} at {@code dstOffset}. */
    void read(Peer peer, Space space, long address, MemorySegment dst, long dstOffset, long length) {
        transfer(peer, false, dst, dstOffset, space, address, length);
    }

    /**
     * Runs a list of writes and reads to one tcp peer, pipelined on one connection (the other routes gain nothing
     * from pipelining: their callers run the elements one by one).
     */
    void pipelined(Peer peer, TransferOps ops) {
        try {
            peer.tcp.execute(ops);
        } catch (PeerLostException e) {
            peer.evictIfLost(e, rank);
            throw e;
        }
    }

    /**
     * Asks the source peer to push its bytes to another rank directly (a third-party G2G: the bytes do not pass
     * through this rank).
     */
    void push(Peer source, Space srcSpace, long srcOffset, long length, int dstRank, Space dstSpace, long dstOffset) {
        try {
            source.tcp.push(srcSpace, srcOffset, length, dstRank, dstSpace, dstOffset);
        } catch (PeerLostException e) {
            source.evictIfLost(e, rank);
            throw e;
        }
    }

    /** @return whether the engine's threads may touch {@code segment} (not of another thread's confined arena). */
    boolean isShareable(MemorySegment segment) {
        return workers.canAccess(segment);
    }

    private void transfer(Peer peer, boolean write, MemorySegment local, long localOffset, Space space, long address,
                          long length) {
        boolean registered = space == Space.REGISTERED;
        while (true) {
            Route route = peer.route;
            PeerLink link = registered ? peer.registeredLink : peer.link;
            try {
                if (link == peer.tcp && length >= 2 * stripeBytes && peer.tcp.connectionCount() > 1
                        && workers.canAccess(local)) {
                    striped(peer, write, local, localOffset, space, address, length);
                } else if (write) {
                    link.write(local, localOffset, space, address, length);
                } else {
                    link.read(space, address, local, localOffset, length);
                }
                return;
            } catch (LinkUnusableException e) {
                if (registered) {
                    peer.registeredFallBack(link, rank, e.getMessage());
                } else {
                    peer.fallBack(linkFactory, rank, route, e.getMessage());
                }
            } catch (PeerLostException e) {
                peer.evictIfLost(e, rank);
                throw e;
            }
        }
    }

    /** A large tcp transfer: one stripe per connection, each on its own thread (this one runs the first). */
    private void striped(Peer peer, boolean write, MemorySegment local, long localOffset, Space space, long address,
                         long length) {
        int stripes = (int) Math.min(peer.tcp.connectionCount(), length / stripeBytes);
        long part = ((length + stripes - 1) / stripes + 4095) & -4096L;
        CopyHandle handle = new CopyHandle(null, stripes, spinNs);
        PartTask[] tasks = new PartTask[stripes];
        for (int s = 0; s < stripes; s++) {
            long begin = s * part;
            long n = Math.max(0, Math.min(part, length - begin));
            tasks[s] = new PartTask(handle) {
                @Override
                void body() {
                    if (n > 0) {
                        if (write) {
                            peer.tcp.write(local, localOffset + begin, space, address + begin, n);
                        } else {
                            peer.tcp.read(space, address + begin, local, localOffset + begin, n);
                        }
                    }
                }
            };
        }
        for (int s = 1; s < stripes; s++) {
            workers.submit(tasks[s]);
        }
        for (PartTask task : tasks) {
            task.run();
        }
        handle.await();
    }
}
