package io.memfabric.bm;

import io.memfabric.memory.SlotDescriptor;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What a {@link BigMemorySpace} needs from the layer that moves bytes: the peers it can reach, one-sided copies by
 * global address, batches, asynchronous completion and registration of user memory. It keeps the control plane (this
 * package) apart from the transport machinery; the implementation is backed by the copy engine.
 *
 * <p>Thread safety: copies, registration and {@link #awaitAll()} may be called from any thread; {@link #addPeer} and
 * {@link #removePeer} from one thread at a time (the space's membership callback thread), concurrently with copies to
 * other peers; {@link #close()} once, after copies have stopped.
 */
interface DataPlane extends AutoCloseable {
    /** @return the text other ranks need to reach this rank; published in the store. */
    String localDescriptor();

    /**
     * @param descriptor a peer's {@link #localDescriptor()}
     * @return what the control plane needs to know about it
     * @throws io.memfabric.error.ProtocolException when the text is not a descriptor
     */
    PeerInfo parse(String descriptor);

    /** Makes a peer reachable (maps its slots, or prepares connections). */
    void addPeer(String descriptor);

    /**
     * Makes a peer unreachable: in-flight copies to it drain, later ones fail with {@code PEER_UNAVAILABLE}, and its
     * mappings are released. Does nothing for an unknown rank.
     */
    void removePeer(int rank);

    /** @return a one-line description of how copies reach {@code rank} (route and why), for logs and tools. */
    String routeDescription(int rank);

    /** Copies {@code length} bytes from the start of {@code src} to {@code dstGva} (checked by the caller). */
    void write(MemorySegment src, long dstGva, long length);

    /** Copies {@code length} bytes from {@code srcGva} to the start of {@code dst} (checked by the caller). */
    void read(long srcGva, MemorySegment dst, long length);

    /** Copies {@code length} bytes between two global addresses (checked by the caller). */
    void copy(long srcGva, long dstGva, long length);

    /** Asynchronous {@link #write}. */
    CopyCompletion writeAsync(MemorySegment src, long dstGva, long length);

    /** Asynchronous {@link #read}. */
    CopyCompletion readAsync(long srcGva, MemorySegment dst, long length);

    /** Asynchronous {@link #copy}. */
    CopyCompletion copyAsync(long srcGva, long dstGva, long length);

    /** Runs every element of a checked batch and returns when all are done. */
    void execute(BigMemoryBatch batch);

    /** Starts every element of a checked batch; the completion covers all of them. */
    CopyCompletion submit(BigMemoryBatch batch);

    /** Waits for every asynchronous copy started so far. */
    void awaitAll();

    /** Registers user memory with the transports (a fast path for copies from or to it). */
    void register(MemorySegment segment);

    /** Unregisters memory registered before. */
    void unregister(MemorySegment segment);

    /** Stops serving and releases every peer mapping; own slots stay open (their owner closes them). */
    @Override
    void close();

    /**
     * What a descriptor says about its rank.
     *
     * @param rank   the rank
     * @param hostId its host
     * @param pid    its process id
     * @param slots  its slots (sizes per type, names of shared-memory files)
     */
    record PeerInfo(int rank, String hostId, long pid, List<SlotDescriptor> slots) {
        /** Copies the list. */
        public PeerInfo {
            slots = List.copyOf(slots);
        }
    }
}
