package io.memfabric.bm;

import io.memfabric.copy.CopyEngine;
import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.copy.PeerDescriptor;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryRegion;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The data plane of a BigMemory object: the copy engine ({@link CopyEngine}), which picks a route per peer (shm, cma
 * or tcp) and serves this rank's slots to its peers. Descriptors are {@link PeerDescriptor} text.
 *
 * <p>Thread safety: as {@link DataPlane}.
 */
final class CopyEngineDataPlane implements DataPlane {
    private final CopyEngine engine;

    private CopyEngineDataPlane(CopyEngine engine) {
        this.engine = engine;
    }

    /** Starts this rank's engine over its own slots (which the caller keeps owning). */
    static CopyEngineDataPlane start(CopyEngineOptions options, int rank, String hostId, AddressSpace layout,
                                     List<MemoryRegion> ownSlots) {
        return new CopyEngineDataPlane(CopyEngine.start(options, rank, hostId, layout, ownSlots));
    }

    @Override
    public String localDescriptor() {
        return engine.localDescriptor().encode();
    }

    @Override
    public PeerInfo parse(String descriptor) {
        PeerDescriptor peer = PeerDescriptor.decode(descriptor);
        return new PeerInfo(peer.rank(), peer.hostId(), peer.pid(), peer.slots());
    }

    @Override
    public void addPeer(String descriptor) {
        engine.addPeer(PeerDescriptor.decode(descriptor));
    }

    @Override
    public void removePeer(int rank) {
        engine.removePeer(rank);
    }

    @Override
    public String routeDescription(int rank) {
        // The reason starts with the route's name, e.g. "shm: same host ..., slots mapped".
        return engine.routeReason(rank);
    }

    @Override
    public void write(MemorySegment src, long dstGva, long length) {
        engine.write(src, dstGva, length);
    }

    @Override
    public void read(long srcGva, MemorySegment dst, long length) {
        engine.read(srcGva, dst, length);
    }

    @Override
    public void copy(long srcGva, long dstGva, long length) {
        engine.copy(srcGva, dstGva, length);
    }

    @Override
    public CopyCompletion writeAsync(MemorySegment src, long dstGva, long length) {
        return new HandleCompletion(engine.writeAsync(src, dstGva, length));
    }

    @Override
    public CopyCompletion readAsync(long srcGva, MemorySegment dst, long length) {
        return new HandleCompletion(engine.readAsync(srcGva, dst, length));
    }

    @Override
    public CopyCompletion copyAsync(long srcGva, long dstGva, long length) {
        return new HandleCompletion(engine.copyAsync(srcGva, dstGva, length));
    }

    @Override
    public void execute(BigMemoryBatch batch) {
        engine.execute(batch.engineBatch());
    }

    @Override
    public CopyCompletion submit(BigMemoryBatch batch) {
        return new HandleCompletion(engine.submit(batch.engineBatch()));
    }

    @Override
    public void awaitAll() {
        engine.awaitAll();
    }

    @Override
    public void register(MemorySegment segment) {
        engine.register(segment);
    }

    @Override
    public void unregister(MemorySegment segment) {
        engine.unregister(segment);
    }

    @Override
    public void close() {
        engine.close();
    }
}
