package io.memfabric.bm;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * One BigMemory object on one rank (upstream's {@code smem_bm_t}): this rank's HOST and DEVICE slots in a pool whose
 * every byte has a global address (GVA), and copies between local memory and any rank's slots. Made by
 * {@link BigMemory#create}; the ranks that take part {@link #join()} it.
 *
 * <h2>Addresses</h2>
 * {@code peerAddress(rank, type) = base(type) + rank * maxSize(type)} (upstream {@code smem_bm_ptr_by_mem_type}); rank
 * r's slot of a type spans {@code maxSize(type)} bytes of address space, of which its {@code localSize(type)} bytes
 * are backed. The layout is the same in every process ({@link AddressSpace}); {@link #rankOf} and {@link #typeOf}
 * decompose an address.
 *
 * <h2>Membership</h2>
 * {@link #join()} is collective with the current members and serialised with other joins and leaves (one membership
 * epoch per change; the protocol, with its acknowledgements, is described in {@code JoinProtocol}). When
 * {@code join()} returns, every member can copy to the joiner and the joiner to every member. {@link #leave()} is the
 * mirror image: when it returns, a copy to the leaver fails with {@code PEER_UNAVAILABLE} everywhere. The leaver's
 * own slots stay allocated (their contents too) until {@link #close()}, so it may join again with the same rank, and
 * peers map the same memory again. A rank that <b>fails</b> (its process dies, or misses the store's heartbeats) is
 * removed by the group; every member removes it from its copy engine at once (copies to it then fail fast with
 * {@code PEER_UNAVAILABLE}), and a member on the same host removes its slot files once its process is gone. Copies
 * between other ranks are not disturbed by any of this.
 *
 * <p>A facade over {@code SpaceResources} (what the object holds), {@code JoinProtocol}, {@code PeerImporter}
 * (membership events into the copy engine, whose {@link io.memfabric.copy.PeerView} is the one membership view) and
 * {@code SpaceCopies}.
 *
 * <h2>Copies</h2>
 * Three overloads, by where the bytes are: {@code copy(MemorySegment src, long dstGva, ...)} (local to global),
 * {@code copy(long srcGva, MemorySegment dst, ...)} (global to local) and {@code copy(long, long, ...)} (global to
 * global); the {@link CopyType} must fit the overload (upstream semantics, see {@link CopyType}). Local sides copy from
 * or to the segment's start, or an offset in it (five-argument forms). Every global side is range-checked against the
 * backed part of its rank's slot ({@link AddressOutOfRangeException}, naming the address, length and slot), and its
 * rank must be this one or a member this rank has imported ({@link PeerLostException} otherwise). Copies to and from
 * this rank's own slots work before {@link #join()}.
 *
 * <p>Thread safety: copies, batches, registration, queries and {@link #barrier()} may be called from any thread,
 * concurrently. {@link #join()} and {@link #leave()} are serialised. {@link #close()} is idempotent; it must not race
 * with copies still running on other threads (stop them first).
 */
public final class BigMemorySpace implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BigMemorySpace.class);

    private final BigMemory owner;
    private final int id;
    private final CreateOptions createOptions;
    private final String label;
    private final SpaceLifecycle lifecycle;
    private final SpaceResources resources;
    private final AddressSpace layout;
    private final MemberState state;
    private final JoinProtocol membership;
    private final SpaceCopies copies;
    private final AutoCloseable listenerRegistration;
    private final UserRegistrations registrations;

    private BigMemorySpace(BigMemory owner, int id, CreateOptions createOptions, String label,
                           SpaceLifecycle lifecycle, SpaceResources resources) {
        this.owner = owner;
        this.id = id;
        this.createOptions = createOptions;
        this.label = label;
        this.lifecycle = lifecycle;
        this.resources = resources;
        this.layout = AddressSpace.of(owner.worldSize(), createOptions.maxHostSize(), createOptions.maxDeviceSize());
        int rank = owner.rank();
        long timeoutNs = owner.options().controlOperationTimeout().toNanos();
        this.state = new MemberState(lifecycle, rank, timeoutNs);
        this.membership = new JoinProtocol(lifecycle, rank, resources.group(), resources.keys(), state, timeoutNs);
        this.copies = new SpaceCopies(label, rank, resources.engine(), state);
        this.registrations = new UserRegistrations(label, resources.engine());
        PeerImporter importer = new PeerImporter(lifecycle, rank, createOptions, resources.keys(), resources.engine(),
                state, resources.reaper());
        this.listenerRegistration = resources.group().addListener(importer::onEvent);
    }

    static BigMemorySpace create(BigMemory owner, int id, CreateOptions options) {
        String label = "BigMemory id=" + id + " rank=" + owner.rank();
        SpaceResources resources = SpaceResources.open(owner, id, options, label);
        try {
            return new BigMemorySpace(owner, id, options, label, new SpaceLifecycle(label), resources);
        } catch (RuntimeException | Error e) {
            resources.close();
            throw e;
        }
    }

    /** @return the object's id. */
    public int id() {
        return id;
    }

    /** @return this process's rank. */
    public int rank() {
        return owner.rank();
    }

    /** @return the number of ranks of the fabric. */
    public int worldSize() {
        return owner.worldSize();
    }

    /** @return the sizes this object was created with. */
    public CreateOptions createOptions() {
        return createOptions;
    }

    /**
     * @return whether {@link #join()} completed and neither {@link #leave()} nor an eviction (this rank reported
     *         failed by the store) followed
     */
    public boolean isJoined() {
        return state.isJoined();
    }

    /**
     * @return the members this rank has applied to its data plane (sorted ranks, this one included), or an empty
     *         array when it is not a member
     */
    public int[] members() {
        return state.members();
    }

    /**
     * Waits until this rank is a member and at least {@code count} ranks (itself included) are members and imported
     * into its data plane, so that copies to all of them work, e.g. {@code awaitMembers(worldSize, ...)} after
     * {@link #join()} before the first copy to another rank.
     *
     * @param count   how many members, 1..worldSize
     * @param timeout how long to wait
     * @return the members (sorted ranks)
     * @throws MemFabricException        {@link ErrorCode#INVALID_PARAM} for a bad count,
     *                                   {@link ErrorCode#NOT_INITIALIZED} after close
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} naming the members seen
     */
    public int[] awaitMembers(int count, Duration timeout) {
        lifecycle.ensureOpen();
        return state.awaitMembers(count, owner.worldSize(), timeout.toMillis());
    }

    /**
     * The first address of a rank's slot (upstream {@code smem_bm_ptr_by_mem_type}): {@code base(type) + rank *
     * maxSize(type)}. Pure arithmetic; the rank need not be a member.
     *
     * @param rank a rank, {@code 0..worldSize-1}
     * @param type HOST or DEVICE
     * @return the GVA
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a rank outside the world, a null type, or a type
     *                            with no memory in this object (its max size is 0)
     */
    public long peerAddress(int rank, MemoryType type) {
        lifecycle.ensureOpen();
        CopyChecks.requireType(label, "peerAddress", type);
        CopyChecks.requireRank(label, "peerAddress", rank, owner.worldSize());
        CopyChecks.requireMemory(label, "peerAddress", type, createOptions.maxSize(type));
        return layout.peerBase(rank, type);
    }

    /**
     * @param gva any value
     * @return the rank whose slot (backed or not) holds {@code gva}, or -1 when it is not an address of this object
     *         (upstream {@code smem_bm_get_rank_id_by_gva} returns {@code UINT32_MAX} there)
     * @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} after close
     */
    public int rankOf(long gva) {
        lifecycle.ensureOpen();
        return layout.rankOf(gva);
    }

    /**
     * @param gva any value
     * @return the memory type of the slot holding {@code gva}, or {@code null} when it is not an address of this
     *         object
     * @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} after close
     */
    public MemoryType typeOf(long gva) {
        lifecycle.ensureOpen();
        return layout.typeOf(gva);
    }

    /**
     * @param type HOST or DEVICE
     * @return how many bytes of {@code type} this rank contributes (upstream
     *         {@code smem_bm_get_local_mem_size_by_mem_type}); 0 when none
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a null type, {@code NOT_INITIALIZED} after close
     */
    public long localSize(MemoryType type) {
        lifecycle.ensureOpen();
        CopyChecks.requireType(label, "localSize", type);
        return createOptions.localSize(type);
    }

    /**
     * @param type HOST or DEVICE
     * @return the address space every rank's slot of {@code type} spans (the stride), bytes
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a null type, {@code NOT_INITIALIZED} after close
     */
    public long maxSize(MemoryType type) {
        lifecycle.ensureOpen();
        CopyChecks.requireType(label, "maxSize", type);
        return createOptions.maxSize(type);
    }

    /**
     * Direct access to this rank's own slot: its bytes are those of GVAs {@code peerAddress(rank(), type) + offset}.
     * Loads and stores through it are plain memory accesses; other ranks' copies into the slot are visible once the
     * ranks synchronise (e.g. a {@link #barrier()} after the copies).
     *
     * @param type HOST or DEVICE
     * @return the slot, {@code localSize(type)} bytes; valid until {@link #close()}
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} when this rank contributes no memory of that type;
     *                            {@code NOT_INITIALIZED} after close
     */
    public MemorySegment localSegment(MemoryType type) {
        lifecycle.ensureOpen();
        return resources.slotSegment(label, type);
    }

    /**
     * @return whether this rank's DEVICE slot is emulated in host shared memory (no accelerator provider in use), so
     *         that DEVICE figures are host-memory figures; tools should say so
     */
    public boolean isDeviceEmulated() {
        return resources.device().isEmulated();
    }

    /**
     * @param rank a rank, {@code 0..worldSize-1}
     * @return how copies reach it, one line starting with the route: {@code shm: same host ..., slots mapped, ...},
     *         {@code cma: ...}, {@code tcp: data listener ...} (with why not the others), {@code local: ...} for this
     *         rank, or {@code unreachable: ...} for a rank that is not an imported member; for logs and tools
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a rank outside the world; {@code NOT_INITIALIZED}
     *                            after close
     */
    public String routeTo(int rank) {
        lifecycle.ensureOpen();
        CopyChecks.requireRank(label, "routeTo", rank, owner.worldSize());
        return resources.routeTo(owner.rank(), rank);
    }

    /**
     * Copies {@code size} bytes from the start of a local segment to a global address (upstream {@code smem_bm_copy}).
     *
     * @param src    local memory, at least {@code size} bytes
     * @param dstGva the destination, in any rank's slot
     * @param size   bytes, {@code > 0}
     * @param type   {@link CopyType#L2G}, {@code H2G}, {@code L2GH}, {@code H2GH} or {@code AUTO}
     * @throws MemFabricException         {@link ErrorCode#INVALID_PARAM} when the type does not fit (e.g. {@code G2L}),
     *                                    the size or segment is bad, or {@code dstGva} is not global;
     *                                    {@code NOT_INITIALIZED} after close
     * @throws AddressOutOfRangeException when the range leaves the backed part of the destination slot
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when the destination rank is not a member (or was
     *                                    lost)
     */
    public void copy(MemorySegment src, long dstGva, long size, CopyType type) {
        lifecycle.ensureOpen();
        copies.write(src, dstGva, size, type);
    }

    /** As {@link #copy(MemorySegment, long, long, CopyType)}, from {@code src} at {@code srcOffset} (no slice). */
    public void copy(MemorySegment src, long srcOffset, long dstGva, long size, CopyType type) {
        lifecycle.ensureOpen();
        copies.write(src, srcOffset, dstGva, size, type);
    }

    /**
     * Copies {@code size} bytes from a global address to the start of a local segment.
     *
     * @param srcGva the source, in any rank's slot
     * @param dst    local memory, at least {@code size} bytes, writable
     * @param size   bytes, {@code > 0}
     * @param type   {@link CopyType#G2L}, {@code G2H}, {@code GH2L}, {@code GH2H} or {@code AUTO}
     * @throws MemFabricException         as {@link #copy(MemorySegment, long, long, CopyType)}
     * @throws AddressOutOfRangeException when the range leaves the backed part of the source slot
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when the source rank is not a member
     */
    public void copy(long srcGva, MemorySegment dst, long size, CopyType type) {
        lifecycle.ensureOpen();
        copies.read(srcGva, dst, size, type);
    }

    /** As {@link #copy(long, MemorySegment, long, CopyType)}, to {@code dst} at {@code dstOffset} (no slice). */
    public void copy(long srcGva, MemorySegment dst, long dstOffset, long size, CopyType type) {
        lifecycle.ensureOpen();
        copies.read(srcGva, dst, dstOffset, size, type);
    }

    /**
     * Copies {@code size} bytes between two global addresses, of any ranks (this one included).
     *
     * @param srcGva the source
     * @param dstGva the destination
     * @param size   bytes, {@code > 0}
     * @param type   {@link CopyType#G2G} or {@code AUTO}
     * @throws MemFabricException         as {@link #copy(MemorySegment, long, long, CopyType)}
     * @throws AddressOutOfRangeException when a range leaves the backed part of its slot
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when a rank is not a member
     */
    public void copy(long srcGva, long dstGva, long size, CopyType type) {
        lifecycle.ensureOpen();
        copies.copy(srcGva, dstGva, size, type);
    }

    /**
     * Starts {@link #copy(MemorySegment, long, long, CopyType)} (same arguments); they are checked before it starts.
     * The copy runs on the copy engine's threads (small same-host copies complete before this returns): the segment
     * must be accessible from them (a shared, global or automatic arena, or the heap; not a confined arena), and stay
     * valid and unmodified until the copy completes.
     *
     * @return the completion; {@link #await()} also waits for it
     * @throws MemFabricException as the synchronous copy, for its argument checks; {@code INVALID_PARAM} for a segment
     *                            of a confined arena
     */
    public CopyCompletion copyAsync(MemorySegment src, long dstGva, long size, CopyType type) {
        lifecycle.ensureOpen();
        return copies.writeAsync(src, dstGva, size, type);
    }

    /**
     * Starts {@link #copy(long, MemorySegment, long, CopyType)} (same arguments); the segment must be accessible from
     * the copy engine's threads (not a confined arena), stay valid, and not be read, until the copy completes.
     *
     * @return the completion; {@link #await()} also waits for it
     * @throws MemFabricException as the synchronous copy, for its argument checks; {@code INVALID_PARAM} for a segment
     *                            of a confined arena
     */
    public CopyCompletion copyAsync(long srcGva, MemorySegment dst, long size, CopyType type) {
        lifecycle.ensureOpen();
        return copies.readAsync(srcGva, dst, size, type);
    }

    /**
     * Starts {@link #copy(long, long, long, CopyType)} (same arguments).
     *
     * @return the completion; {@link #await()} also waits for it
     * @throws MemFabricException as the synchronous copy, for its argument checks
     */
    public CopyCompletion copyAsync(long srcGva, long dstGva, long size, CopyType type) {
        lifecycle.ensureOpen();
        return copies.copyAsync(srcGva, dstGva, size, type);
    }

    /**
     * Runs every copy of a batch (upstream {@code smem_bm_copy_batch}, with a direction per element) and returns when
     * all are done. Every element is range-checked before any byte moves; the elements are grouped by peer and the
     * groups run concurrently on the copy engine's threads and this one. A batch that names a segment of a confined
     * arena (which only this thread may touch) runs element by element on this thread instead.
     *
     * @param batch the copies; it may be reused (cleared or re-run) once this returns
     * @throws MemFabricException         {@link ErrorCode#INVALID_PARAM} for an empty batch
     * @throws AddressOutOfRangeException naming the first element out of range (by index)
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when an element's rank is not a member
     */
    public void copyBatch(BigMemoryBatch batch) {
        lifecycle.ensureOpen();
        copies.batch(batch);
    }

    /**
     * Starts every copy of a batch; checked as {@link #copyBatch}. The batch (and its segments) must not change until
     * the completion is done, and its segments must be accessible from the copy engine's threads.
     *
     * @param batch the copies
     * @return the completion of the whole batch
     * @throws MemFabricException {@code INVALID_PARAM} when a segment belongs to a confined arena; otherwise as
     *                            {@link #copyBatch}
     */
    public CopyCompletion copyBatchAsync(BigMemoryBatch batch) {
        lifecycle.ensureOpen();
        return copies.batchAsync(batch);
    }

    /**
     * Waits for every asynchronous copy this object has started so far (upstream {@code smem_bm_wait}).
     *
     * @throws MemFabricException the first failure among them
     */
    public void await() {
        lifecycle.ensureOpen();
        resources.engine().awaitAll();
    }

    /**
     * Registers user memory with the data plane, which may then copy from and to it faster (upstream
     * {@code smem_bm_register_user_mem}). Registering the same address with the same size again does nothing; the
     * same address with another size is refused (upstream answers {@code SM_ERROR}). Copies work with unregistered
     * memory too.
     *
     * @param segment native memory, non-empty; it must stay valid until {@link #unregister} or {@link #close()}
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a null, empty or heap segment, or an address
     *                            registered with another size; {@code NOT_INITIALIZED} after close
     */
    public void register(MemorySegment segment) {
        lifecycle.ensureOpen();
        registrations.register(segment);
    }

    /**
     * Unregisters memory registered with {@link #register} (upstream {@code smem_bm_unregister_user_mem}); an address
     * that is not registered is ignored.
     *
     * @param segment the memory, or any segment starting at its address
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a null segment; {@code NOT_INITIALIZED} after
     *                            close
     */
    public void unregister(MemorySegment segment) {
        lifecycle.ensureOpen();
        registrations.unregister(segment);
    }

    /**
     * Joins the object (upstream {@code smem_bm_join}): collective with the current members, serialised with other
     * joins and leaves. Returns once every member has imported this rank and this rank has imported every member (see
     * the class documentation), so copies in both directions work as soon as it returns, on every member. Joining
     * again while joined does nothing (as upstream).
     *
     * @throws MemFabricException        {@link ErrorCode#INVALID_PARAM} when a member's strides differ from this
     *                                   rank's (this rank then leaves again); {@code NOT_INITIALIZED} after close
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} when members did not acknowledge within the control
     *                                   operation timeout (the join has taken effect; {@link #leave()} undoes it)
     */
    public void join() {
        lifecycle.ensureOpen();
        membership.join();
    }

    /**
     * Leaves the object (upstream {@code smem_bm_leave}): the other members remove this rank from their data planes,
     * and this rank removes them from its own. Returns once every remaining member has acknowledged, so a copy to this
     * rank then fails with {@code PEER_UNAVAILABLE} everywhere, and this rank's copies to other ranks fail too. This
     * rank's slots keep their memory and contents; {@link #join()} may follow. Leaving when not joined does nothing.
     *
     * @throws MemFabricException        {@code NOT_INITIALIZED} after close
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} when members did not acknowledge in time (the leave
     *                                   has taken effect)
     */
    public void leave() {
        lifecycle.ensureOpen();
        membership.leave();
    }

    /**
     * Waits until every current member has called {@code barrier()} (for users and tools; upstream's examples use a
     * side-channel barrier). A membership change during the barrier restarts it among the new members, so it
     * completes once every rank that is a member at that point has arrived.
     *
     * @throws MemFabricException        {@code NOT_INITIALIZED} when not joined, or after close
     * @throws MemFabricTimeoutException {@link ErrorCode#TIMEOUT} when members did not arrive within the control
     *                                   operation timeout
     */
    public void barrier() {
        lifecycle.ensureOpen();
        membership.barrier();
    }

    /**
     * Closes the object on this rank (upstream {@code smem_bm_destroy}): leaves if joined (best effort: on failure the
     * other members see this rank fail), stops the group engine and the data plane, deletes this rank's peer record,
     * frees its slots (and their files) and closes its store connection. Idempotent; calls after it throw
     * {@code NOT_INITIALIZED}. Every step runs even if one fails; the first failure is thrown with the others
     * suppressed. Must not race with copies still running on other threads.
     */
    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        owner.removed(id, this);
        membership.leaveOnClose();
        CloseHelper.closeAll(listenerRegistration, resources);
        LOG.info("{}: closed", label);
    }

    /** @return whether {@link #close()} has been called. */
    public boolean isClosed() {
        return lifecycle.isClosed();
    }

    @Override
    public String toString() {
        return label + (lifecycle.isClosed() ? " (closed)" : state.isJoined() ? " (joined)" : "");
    }
}
