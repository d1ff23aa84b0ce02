package io.memfabric.copy;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryRegion;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Moves bytes between local memory and the global address space, and between global addresses, choosing a route per
 * peer (shm, cma or tcp; see {@link RouteTable}). Work in progress: the API is final, the implementation lands in the
 * next commits.
 *
 * <p>Thread safety: any method from any thread.
 */
public final class CopyEngine implements AutoCloseable {
    private CopyEngine() {
    }

    /**
     * Starts this rank's engine: binds its tcp data listener, which serves its own slots (and regions registered later)
     * to peers.
     *
     * @param options  settings
     * @param rank     this rank, below {@code layout.worldSize()}
     * @param hostId   this rank's host id (peers with an equal id may map its slots)
     * @param layout   the pool's address space; this engine records its own slots' sizes in it
     * @param ownSlots this rank's slots (HOST and/or DEVICE, at most one each); owned by the caller, who closes them
     *                 after closing the engine
     * @return the engine; the caller closes it
     */
    public static CopyEngine start(CopyEngineOptions options, int rank, String hostId, AddressSpace layout,
                                   List<MemoryRegion> ownSlots) {
        throw notYet();
    }

    /** @return what peers need to reach this rank's memory; publish it to them. */
    public PeerDescriptor localDescriptor() {
        throw notYet();
    }

    /**
     * Adds or refreshes a peer. Idempotent for an equal descriptor.
     *
     * @param peer the peer's descriptor
     */
    public void addPeer(PeerDescriptor peer) {
        throw notYet();
    }

    /**
     * Removes a peer: drains copies in flight to it, unmaps, disconnects; later copies to it fail fast with
     * {@code PEER_UNAVAILABLE}.
     *
     * @param rank the peer's rank
     */
    public void removePeer(int rank) {
        throw notYet();
    }

    /** @return the address space with the backed size of every known rank. */
    public AddressSpace layout() {
        throw notYet();
    }

    /** @return the route to {@code rank}. */
    public Route routeTo(int rank) {
        throw notYet();
    }

    /** @return why that route, and why not the others. */
    public String routeReason(int rank) {
        throw notYet();
    }

    /** Copies {@code length} bytes from the start of {@code src} to {@code dstGva}. */
    public void write(MemorySegment src, long dstGva, long length) {
        throw notYet();
    }

    /** Copies {@code length} bytes from {@code srcGva} to the start of {@code dst}. */
    public void read(long srcGva, MemorySegment dst, long length) {
        throw notYet();
    }

    /** Copies {@code length} bytes from {@code srcGva} to {@code dstGva}. */
    public void copy(long srcGva, long dstGva, long length) {
        throw notYet();
    }

    /** Starts {@link #write}; returns its handle. */
    public CopyHandle writeAsync(MemorySegment src, long dstGva, long length) {
        throw notYet();
    }

    /** Starts {@link #read}; returns its handle. */
    public CopyHandle readAsync(long srcGva, MemorySegment dst, long length) {
        throw notYet();
    }

    /** Starts {@link #copy}; returns its handle. */
    public CopyHandle copyAsync(long srcGva, long dstGva, long length) {
        throw notYet();
    }

    /** Waits for every outstanding asynchronous copy of this engine. */
    public void awaitAll() {
        throw notYet();
    }

    /** Runs a batch and waits for it. */
    public void execute(CopyBatch batch) {
        throw notYet();
    }

    /** Starts a batch; returns its handle. */
    public CopyHandle submit(CopyBatch batch) {
        throw notYet();
    }

    /** Lets peers reach {@code segment} through this engine's listener. */
    public void register(MemorySegment segment) {
        throw notYet();
    }

    /** Withdraws a registration. */
    public void unregister(MemorySegment segment) {
        throw notYet();
    }

    @Override
    public void close() {
    }

    void asyncCompleted(CopyHandle handle, MemFabricException failure) {
    }

    private static MemFabricException notYet() {
        return new MemFabricException(ErrorCode.NOT_STARTED, "CopyEngine: not implemented yet");
    }
}
