package io.memfabric.bm;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.PeerLostException;
import io.memfabric.group.GroupEngine;
import io.memfabric.group.GroupOptions;
import io.memfabric.group.Membership;
import io.memfabric.group.MembershipEvent;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.DeviceMemory;
import io.memfabric.memory.DeviceMemoryProvider;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryConfig;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmSlot;
import io.memfabric.memory.SlotDescriptor;
import io.memfabric.memory.StaleSlotCleaner;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

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
 * epoch per change, {@link GroupEngine}). The protocol, per change of epoch {@code e}:
 * <ol>
 *   <li>at {@link BigMemory#create}, every rank publishes its {@link PeerRecord} (strides and data-plane descriptor)
 *       under {@code peer/<rank>}: before it can join, so a member that sees it join can always read it;</li>
 *   <li>the joiner makes epoch {@code e} (its group join);</li>
 *   <li>every member of {@code e}, on its membership callback thread, reads the joiner's record, adds it to its data
 *       plane, and writes {@code ack/<e>/<rank>} ("ok", or "error &lt;why&gt;" e.g. for different strides); the joiner,
 *       on its own callback thread, adds every member of {@code e};</li>
 *   <li>the joiner's {@code join()} returns once it has every member's ack (a member that leaves or fails meanwhile is
 *       not waited for), and deletes them.</li>
 * </ol>
 * So when {@code join()} returns, every member can copy to the joiner and the joiner to every member: a copy issued
 * anywhere after {@code join()} returned reaches the joiner. {@link #leave()} is the mirror image: the members remove
 * the leaver from their data planes and ack; the leaver removes all its peers; {@code leave()} returns when every
 * remaining member has acked, after which a copy to the leaver fails with {@code PEER_UNAVAILABLE} everywhere. The
 * leaver's own slots stay allocated (their contents too) until {@link #close()}, so it may join again with the same
 * rank, and peers map the same memory again. A rank that <b>fails</b> (its process dies, or misses the store's
 * heartbeats) is removed by the group ({@code FAILED}); every member removes it from its data plane at once (copies to
 * it then fail fast with {@code PEER_UNAVAILABLE}), and a member on the same host removes its slot files once its
 * process is gone ({@link StaleSlotCleaner}). Copies between other ranks are not disturbed by any of this.
 *
 * <h2>Copies</h2>
 * Three overloads, by where the bytes are: {@code copy(MemorySegment src, long dstGva, ...)} (local to global),
 * {@code copy(long srcGva, MemorySegment dst, ...)} (global to local) and {@code copy(long, long, ...)} (global to
 * global); the {@link CopyType} must fit the overload (upstream semantics, see {@link CopyType}). Local sides copy from
 * or to the start of the segment (slice it with {@code asSlice}). Every global side is range-checked against the
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
    private static final VarHandle CLOSED;
    /** Stale slot files are removed once per process, before its first slot is created. */
    private static final AtomicBoolean CLEANED = new AtomicBoolean();
    /** How long one wait for an ack lasts before the waiter checks whether the acker is still a member. */
    private static final Duration ACK_SLICE = Duration.ofMillis(500);
    /** How long a survivor keeps trying to remove the slot files of a failed peer on its host. */
    private static final long FILE_CLEANUP_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long FILE_CLEANUP_PAUSE_MS = 50;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(BigMemorySpace.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BigMemory owner;
    private final int id;
    private final int rank;
    private final int worldSize;
    private final CreateOptions createOptions;
    private final String label;
    private final String hostId;
    private final long timeoutNs;
    private final MemoryRegion hostSlot;
    private final MemoryRegion deviceSlot;
    private final DeviceMemory device;
    private final StoreClient client;
    private final StoreClient keys;
    private final GroupEngine group;
    private final DataPlane plane;
    private final ExecutorService cleaner;
    private final AutoCloseable listenerRegistration;
    private final ReentrantLock membershipLock = new ReentrantLock();
    /**
     * Synchronous copies of a confined segment (only this thread may touch it) at least this long go in pieces of this
     * size: the copy engine stripes a tcp transfer of two stripes or more over threads of its own, which cannot touch
     * such a segment. One stripe is below that limit.
     */
    private final long confinedChunkBytes;
    /** User memory registered with {@link #register}, by address. */
    private final Map<Long, MemorySegment> registered = new ConcurrentHashMap<>();

    /**
     * The layout with every imported rank's backed sizes; replaced (copy on write) by the callback thread before it
     * marks a rank reachable, read without a lock by copies.
     */
    private volatile AddressSpace layout;
    /** Bit r set: copies may address rank r (this rank, or an imported member). Copy on write, like the layout. */
    private volatile long[] reachable;

    // Membership state: written by the callback thread under stateMonitor, waited on by join/leave/awaitMembers.
    private final Object stateMonitor = new Object();
    /** Peers imported into the data plane: the callback thread only. */
    private final Map<Integer, DataPlane.PeerInfo> imported = new HashMap<>();
    private long memberSince = -1;
    /** The epoch of the last event the callback thread has applied. */
    private long lastEventEpoch = -1;
    private Membership members = Membership.EMPTY;
    private long joinedEpoch = -1;
    private Membership joinedMembers = Membership.EMPTY;
    private final List<MemFabricException> joinErrors = new ArrayList<>();
    private long departedEpoch = -1;
    private Membership departedMembers = Membership.EMPTY;
    private boolean departedByFailure;

    /** Whether {@link #join()} completed and no {@link #leave()} or eviction followed (as the application sees it). */
    private volatile boolean joined;
    @SuppressWarnings("unused") // accessed through CLOSED
    private volatile boolean closed;
    /** The thread in {@link #close()}: its leave goes on after {@link #closed} is set; other waits stop. */
    private volatile Thread closer;

    private BigMemorySpace(BigMemory owner, int id, CreateOptions createOptions, String label, MemoryRegion hostSlot,
                           MemoryRegion deviceSlot, DeviceMemory device, StoreClient client, StoreClient keys,
                           GroupEngine group, DataPlane plane, AddressSpace layout, ExecutorService cleaner) {
        this.owner = owner;
        this.id = id;
        this.rank = owner.rank();
        this.worldSize = owner.worldSize();
        this.createOptions = createOptions;
        this.label = label;
        this.hostId = HostId.current();
        this.timeoutNs = owner.options().controlOperationTimeout().toNanos();
        this.hostSlot = hostSlot;
        this.deviceSlot = deviceSlot;
        this.device = device;
        this.client = client;
        this.keys = keys;
        this.group = group;
        this.plane = plane;
        this.layout = layout;
        this.cleaner = cleaner;
        this.confinedChunkBytes = owner.options().copyEngineOptions().tcpStripeBytes();
        long[] bits = new long[(worldSize + 63) >>> 6];
        bits[rank >>> 6] |= 1L << rank;
        this.reachable = bits;
        this.listenerRegistration = group.addListener(this::onMembershipChange);
    }

    static BigMemorySpace create(BigMemory owner, int id, CreateOptions options) {
        int rank = owner.rank();
        String fabricId = owner.options().fabricId();
        String objectId = "bm" + id;
        String label = "BigMemory id=" + id + " rank=" + rank;
        if (CLEANED.compareAndSet(false, true)) {
            List<Path> removed = StaleSlotCleaner.clean();
            if (!removed.isEmpty()) {
                LOG.info("{}: removed {} stale slot files of dead processes", label, removed.size());
            }
        }
        MemoryRegion hostSlot = null;
        MemoryRegion deviceSlot = null;
        StoreClient client = null;
        StoreClient keys = null;
        GroupEngine group = null;
        DataPlane plane = null;
        ExecutorService cleaner = null;
        try {
            long startNs = System.nanoTime();
            DeviceMemory device = DeviceMemoryProvider.select();
            if (options.localHostSize() > 0) {
                hostSlot = ShmSlot.create(fabricId, objectId, rank, MemoryType.HOST, options.localHostSize());
            }
            if (options.localDeviceSize() > 0) {
                deviceSlot = device.allocate(fabricId, objectId, rank, options.localDeviceSize());
            }
            long slotsMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            AddressSpace layout = AddressSpace.of(owner.worldSize(), options.maxHostSize(), options.maxDeviceSize())
                    .withBackedBytes(rank, MemoryType.HOST, options.localHostSize())
                    .withBackedBytes(rank, MemoryType.DEVICE, options.localDeviceSize());
            client = StoreClient.connect(owner.storeClientOptions());
            keys = client.withPrefix(BmKeys.fabric(fabricId) + BmKeys.object(id));
            group = GroupEngine.open(client, GroupOptions.builder()
                    .name(fabricId + ".bm" + id)
                    .namespace(BmKeys.group(fabricId, id))
                    .worldSize(owner.worldSize())
                    .rank(rank)
                    .operationTimeout(owner.options().controlOperationTimeout())
                    .threadFactory(owner.options().threadFactory())
                    .build());
            List<MemoryRegion> own = new ArrayList<>(2);
            if (hostSlot != null) {
                own.add(hostSlot);
            }
            if (deviceSlot != null) {
                own.add(deviceSlot);
            }
            plane = CopyEngineDataPlane.start(owner.options().copyEngineOptions(), rank, HostId.current(), layout,
                    own);
            String threadName = "memfabric-" + fabricId + "-r" + rank + "-bm" + id + "-cleaner";
            cleaner = Executors.newSingleThreadExecutor(r -> {
                Thread thread = owner.options().threadFactory().newThread(r);
                thread.setName(threadName);
                return thread;
            });
            BigMemorySpace space = new BigMemorySpace(owner, id, options, label, hostSlot, deviceSlot, device, client,
                    keys, group, plane, layout, cleaner);
            keys.set(BmKeys.peer(rank), new PeerRecord(rank, options.maxHostSize(), options.maxDeviceSize(),
                    plane.localDescriptor()).toBytes());
            LOG.info("{}: created; HOST {} of stride {} bytes, DEVICE {} of stride {} bytes ({}), slots in {} ms",
                    label, options.localHostSize(), options.maxHostSize(), options.localDeviceSize(),
                    options.maxDeviceSize(), device.isEmulated() ? "the device tier is emulated in host shared memory"
                            : "device memory: " + device.name(), slotsMs);
            return space;
        } catch (RuntimeException | Error e) {
            if (cleaner != null) {
                cleaner.shutdownNow();
            }
            CloseHelper.quietClose(group);
            CloseHelper.quietClose(plane);
            CloseHelper.quietClose(keys);
            CloseHelper.quietClose(client);
            CloseHelper.quietClose(deviceSlot);
            CloseHelper.quietClose(hostSlot);
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------------- queries

    /** @return the object's id. */
    public int id() {
        return id;
    }

    /** @return this process's rank. */
    public int rank() {
        return rank;
    }

    /** @return the number of ranks of the fabric. */
    public int worldSize() {
        return worldSize;
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
        return joined;
    }

    /**
     * @return the members this rank has applied to its data plane (sorted ranks, this one included), or an empty
     *         array when it is not a member
     */
    public int[] members() {
        synchronized (stateMonitor) {
            return memberSince >= 0 ? members.ranks() : new int[0];
        }
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
        ensureOpen();
        if (count < 1 || count > worldSize) {
            throw new ConfigurationException("count=" + count + " (expected: 1.." + worldSize + ")");
        }
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (stateMonitor) {
            while (memberSince < 0 || members.size() < count) {
                ensureOpen();
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    throw new MemFabricTimeoutException(label + ": awaitMembers(" + count + "): "
                            + (memberSince < 0 ? "not a member" : members.size() + " members " + members.encode())
                            + " after " + timeout.toMillis() + " ms");
                }
                waitOn(stateMonitor, remainingNs);
            }
            return members.ranks();
        }
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
        ensureOpen();
        if (type == null) {
            throw new ConfigurationException(label + ": peerAddress type=null (expected: HOST or DEVICE)");
        }
        if (rank < 0 || rank >= worldSize) {
            throw new ConfigurationException(label + ": peerAddress rank=" + rank + " (expected: 0.."
                    + (worldSize - 1) + ")");
        }
        if (createOptions.maxSize(type) == 0) {
            throw new ConfigurationException(label + ": peerAddress type=" + type + ": this object has no " + type
                    + " memory (max" + (type == MemoryType.HOST ? "Host" : "Device") + "Size=0)");
        }
        return layout.peerBase(rank, type);
    }

    /**
     * @param gva any value
     * @return the rank whose slot (backed or not) holds {@code gva}, or -1 when it is not an address of this object
     *         (upstream {@code smem_bm_get_rank_id_by_gva} returns {@code UINT32_MAX} there)
     * @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} after close
     */
    public int rankOf(long gva) {
        ensureOpen();
        return layout.rankOf(gva);
    }

    /**
     * @param gva any value
     * @return the memory type of the slot holding {@code gva}, or {@code null} when it is not an address of this
     *         object
     * @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} after close
     */
    public MemoryType typeOf(long gva) {
        ensureOpen();
        return layout.typeOf(gva);
    }

    /**
     * @param type HOST or DEVICE
     * @return how many bytes of {@code type} this rank contributes (upstream
     *         {@code smem_bm_get_local_mem_size_by_mem_type}); 0 when none
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a null type, {@code NOT_INITIALIZED} after close
     */
    public long localSize(MemoryType type) {
        ensureOpen();
        if (type == null) {
            throw new ConfigurationException(label + ": localSize type=null (expected: HOST or DEVICE)");
        }
        return createOptions.localSize(type);
    }

    /**
     * @param type HOST or DEVICE
     * @return the address space every rank's slot of {@code type} spans (the stride), bytes
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a null type, {@code NOT_INITIALIZED} after close
     */
    public long maxSize(MemoryType type) {
        ensureOpen();
        if (type == null) {
            throw new ConfigurationException(label + ": maxSize type=null (expected: HOST or DEVICE)");
        }
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
        ensureOpen();
        MemoryRegion slot = type == MemoryType.HOST ? hostSlot : type == MemoryType.DEVICE ? deviceSlot : null;
        if (slot == null) {
            throw new ConfigurationException(label + ": localSegment type=" + type + ": this rank contributes no "
                    + type + " memory (local size 0)");
        }
        return slot.segment();
    }

    /**
     * @return whether this rank's DEVICE slot is emulated in host shared memory (no accelerator provider in use), so
     *         that DEVICE figures are host-memory figures; tools should say so
     */
    public boolean isDeviceEmulated() {
        return device.isEmulated();
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
        ensureOpen();
        if (rank < 0 || rank >= worldSize) {
            throw new ConfigurationException(label + ": routeTo rank=" + rank + " (expected: 0.." + (worldSize - 1)
                    + ")");
        }
        if (rank == this.rank) {
            return "local: this rank's own slots, one MemorySegment.copy";
        }
        return isReachable(rank) ? plane.routeDescription(rank) : "unreachable: not a member this rank has imported";
    }

    // -------------------------------------------------------------------------------------------------- copies

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
        ensureOpen();
        CopyChecks.checkWrite("copy", src, dstGva, size, type);
        checkGlobal(type, dstGva, size);
        if (size < confinedChunkBytes || !CopyChecks.isConfined(src)) {
            plane.write(src, dstGva, size);
            return;
        }
        for (long done = 0; done < size; done += confinedChunkBytes) {
            long n = Math.min(confinedChunkBytes, size - done);
            plane.write(src.asSlice(done, n), dstGva + done, n);
        }
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
        ensureOpen();
        CopyChecks.checkRead("copy", srcGva, dst, size, type);
        checkGlobal(type, srcGva, size);
        if (size < confinedChunkBytes || !CopyChecks.isConfined(dst)) {
            plane.read(srcGva, dst, size);
            return;
        }
        for (long done = 0; done < size; done += confinedChunkBytes) {
            long n = Math.min(confinedChunkBytes, size - done);
            plane.read(srcGva + done, dst.asSlice(done, n), n);
        }
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
        ensureOpen();
        CopyChecks.checkCopy("copy", srcGva, dstGva, size, type);
        checkGlobal(type, srcGva, size);
        checkGlobal(type, dstGva, size);
        plane.copy(srcGva, dstGva, size);
    }

    /**
     * Starts {@link #copy(MemorySegment, long, long, CopyType)}; the arguments are checked before it starts. The copy
     * runs on the copy engine's threads (small same-host copies complete before this returns): the segment must be
     * accessible from them (a shared, global or automatic arena, or the heap; not a confined arena), and stay valid and
     * unmodified until the copy completes.
     *
     * @param src    local memory, at least {@code size} bytes
     * @param dstGva the destination, in any rank's slot
     * @param size   bytes, {@code > 0}
     * @param type   {@link CopyType#L2G}, {@code H2G}, {@code L2GH}, {@code H2GH} or {@code AUTO}
     * @return the completion; {@link #await()} also waits for it
     * @throws MemFabricException as the synchronous copy, for its argument checks; {@code INVALID_PARAM} for a segment
     *                            of a confined arena
     */
    public CopyCompletion copyAsync(MemorySegment src, long dstGva, long size, CopyType type) {
        ensureOpen();
        CopyChecks.checkWrite("copyAsync", src, dstGva, size, type);
        CopyChecks.checkShareable("copyAsync", type, "src", src);
        checkGlobal(type, dstGva, size);
        return plane.writeAsync(src, dstGva, size);
    }

    /**
     * Starts {@link #copy(long, MemorySegment, long, CopyType)}; the segment must be accessible from the copy engine's
     * threads (not a confined arena), stay valid, and not be read, until the copy completes.
     *
     * @param srcGva the source, in any rank's slot
     * @param dst    local memory, at least {@code size} bytes, writable
     * @param size   bytes, {@code > 0}
     * @param type   {@link CopyType#G2L}, {@code G2H}, {@code GH2L}, {@code GH2H} or {@code AUTO}
     * @return the completion; {@link #await()} also waits for it
     * @throws MemFabricException as the synchronous copy, for its argument checks; {@code INVALID_PARAM} for a segment
     *                            of a confined arena
     */
    public CopyCompletion copyAsync(long srcGva, MemorySegment dst, long size, CopyType type) {
        ensureOpen();
        CopyChecks.checkRead("copyAsync", srcGva, dst, size, type);
        CopyChecks.checkShareable("copyAsync", type, "dst", dst);
        checkGlobal(type, srcGva, size);
        return plane.readAsync(srcGva, dst, size);
    }

    /**
     * Starts {@link #copy(long, long, long, CopyType)}.
     *
     * @param srcGva the source
     * @param dstGva the destination
     * @param size   bytes, {@code > 0}
     * @param type   {@link CopyType#G2G} or {@code AUTO}
     * @return the completion; {@link #await()} also waits for it
     * @throws MemFabricException as the synchronous copy, for its argument checks
     */
    public CopyCompletion copyAsync(long srcGva, long dstGva, long size, CopyType type) {
        ensureOpen();
        CopyChecks.checkCopy("copyAsync", srcGva, dstGva, size, type);
        checkGlobal(type, srcGva, size);
        checkGlobal(type, dstGva, size);
        return plane.copyAsync(srcGva, dstGva, size);
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
        ensureOpen();
        checkBatch(batch);
        if (batch.confinedSegments() == 0) {
            plane.execute(batch);
            return;
        }
        // Segments of a confined arena may only be touched by this thread: copy element by element, here.
        for (int i = 0, n = batch.size(); i < n; i++) {
            switch (batch.kind(i)) {
                case BigMemoryBatch.WRITE -> plane.write(batch.segment(i), batch.dstGva(i), batch.sizeOf(i));
                case BigMemoryBatch.READ -> plane.read(batch.srcGva(i), batch.segment(i), batch.sizeOf(i));
                default -> plane.copy(batch.srcGva(i), batch.dstGva(i), batch.sizeOf(i));
            }
        }
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
        ensureOpen();
        checkBatch(batch);
        if (batch.confinedSegments() > 0) {
            throw CopyChecks.invalid(label + ": copyBatchAsync: " + batch.confinedSegments() + " of the batch's "
                    + "segments belong to a confined arena, which only its owner thread may access, but asynchronous "
                    + "copies run on the copy engine's threads (expected: segments of a shared, global or automatic "
                    + "arena, or heap segments; or copyBatch)");
        }
        return plane.submit(batch);
    }

    /**
     * Waits for every asynchronous copy this object has started so far (upstream {@code smem_bm_wait}).
     *
     * @throws MemFabricException the first failure among them
     */
    public void await() {
        ensureOpen();
        plane.awaitAll();
    }

    private void checkBatch(BigMemoryBatch batch) {
        if (batch == null || batch.isEmpty()) {
            throw CopyChecks.invalid(label + ": copyBatch of " + (batch == null ? "null" : "an empty batch")
                    + " (expected: at least one element)");
        }
        for (int i = 0, n = batch.size(); i < n; i++) {
            CopyType type = batch.type(i);
            long size = batch.sizeOf(i);
            switch (batch.kind(i)) {
                case BigMemoryBatch.WRITE -> checkGlobal(type, batch.dstGva(i), size);
                case BigMemoryBatch.READ -> checkGlobal(type, batch.srcGva(i), size);
                default -> {
                    checkGlobal(type, batch.srcGva(i), size);
                    checkGlobal(type, batch.dstGva(i), size);
                }
            }
        }
    }

    /** The range and reachability check of one global side; allocates nothing unless it throws. */
    private void checkGlobal(CopyType type, long gva, long size) {
        AddressSpace l = layout;
        int peer = l.rankOf(gva);
        if (peer >= 0 && peer != rank && !isReachable(peer)) {
            throw new PeerLostException(peer, label + ": copy " + type + ": gva=" + CopyChecks.hex(gva)
                    + " is in the slot of rank " + peer + ", which is not a member this rank can reach (not joined, "
                    + "left, or failed; members " + membersText() + ")");
        }
        if (l.offsetInRange(gva, size) < 0) {
            l.checkRange(label + ": copy " + type, gva, size);
        }
    }

    private boolean isReachable(int peer) {
        long[] bits = reachable;
        return (bits[peer >>> 6] & 1L << peer) != 0;
    }

    private String membersText() {
        synchronized (stateMonitor) {
            return memberSince >= 0 ? members.encode() : "none: this rank is not a member";
        }
    }

    // ------------------------------------------------------------------------------------------- registration

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
        ensureOpen();
        if (segment == null || !segment.isNative() || segment.address() == 0 || segment.byteSize() == 0) {
            throw CopyChecks.invalid(label + ": register segment=" + segment + " (expected: a non-empty native "
                    + "segment)");
        }
        MemorySegment previous = registered.putIfAbsent(segment.address(), segment);
        if (previous != null) {
            if (previous.byteSize() == segment.byteSize()) {
                return;
            }
            throw CopyChecks.invalid(label + ": register address=" + CopyChecks.hex(segment.address()) + " size="
                    + segment.byteSize() + ": already registered with size=" + previous.byteSize()
                    + " (expected: unregister it first)");
        }
        try {
            plane.register(segment);
        } catch (RuntimeException e) {
            registered.remove(segment.address(), segment);
            throw e;
        }
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
        ensureOpen();
        if (segment == null) {
            throw CopyChecks.invalid(label + ": unregister segment=null (expected: a segment)");
        }
        MemorySegment previous = registered.remove(segment.address());
        if (previous != null) {
            plane.unregister(previous);
        }
    }

    // --------------------------------------------------------------------------------------------- membership

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
        ensureOpen();
        membershipLock.lock();
        try {
            ensureOpen();
            if (joined) {
                return;
            }
            long deadlineNs = System.nanoTime() + timeoutNs;
            if (!group.isMember()) {
                group.join();
            }
            long target = group.membership().epoch();
            long epoch;
            Membership at;
            List<MemFabricException> errors;
            synchronized (stateMonitor) {
                // The callback thread applies the changes in epoch order; once it has applied the epoch the group
                // engine is at, it has handled this rank's own JOINED event (and imported the members).
                while (lastEventEpoch < target || memberSince < 0) {
                    ensureOpen();
                    if (lastEventEpoch >= target && !group.isMember()) {
                        throw new PeerLostException(rank, label + ": join: this rank was removed from the group "
                                + "right after it joined (epoch " + departedEpoch + "); join() again");
                    }
                    awaitState(deadlineNs, "join: this rank's data plane did not import the members");
                }
                epoch = joinedEpoch;
                at = joinedMembers;
                errors = new ArrayList<>(joinErrors);
            }
            errors.addAll(awaitAcks(epoch, at, deadlineNs, "join"));
            if (!errors.isEmpty()) {
                String reason = errors.stream().map(Throwable::getMessage).collect(Collectors.joining("; "));
                LOG.warn("{}: join at epoch {} failed, leaving again: {}", label, epoch, reason);
                try {
                    leaveLocked();
                } catch (RuntimeException e) {
                    LOG.warn("{}: leave after a failed join failed: {}", label, e.toString());
                }
                throw new MemFabricException(errors.get(0).code(), label + ": join: " + reason);
            }
            joined = true;
            LOG.info("{}: joined at epoch {} (members {})", label, epoch, at.encode());
        } finally {
            membershipLock.unlock();
        }
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
        ensureOpen();
        membershipLock.lock();
        try {
            ensureOpen();
            leaveLocked();
        } finally {
            membershipLock.unlock();
        }
    }

    private void leaveLocked() {
        long deadlineNs = System.nanoTime() + timeoutNs;
        long before = group.membership().epoch();
        joined = false;
        boolean member = group.isMember();
        synchronized (stateMonitor) {
            if (!member && memberSince < 0) {
                return; // Not a member, and the callback thread has nothing left to apply for this rank.
            }
        }
        if (member) {
            try {
                group.leave();
            } catch (MemFabricException e) {
                if (e.code() != ErrorCode.NOT_INITIALIZED) {
                    throw e;
                }
                // Removed meanwhile (reported failed): nothing left to leave.
            }
        }
        long target = group.membership().epoch();
        long epoch;
        Membership remaining;
        boolean failed;
        synchronized (stateMonitor) {
            while (lastEventEpoch < target || memberSince >= 0) {
                awaitState(deadlineNs, "leave: this rank's data plane did not remove its peers");
            }
            epoch = departedEpoch;
            remaining = departedMembers;
            failed = departedByFailure;
        }
        if (epoch > before && !failed) {
            List<MemFabricException> errors = awaitAcks(epoch, remaining, deadlineNs, "leave");
            if (!errors.isEmpty()) {
                LOG.warn("{}: leave at epoch {}: {}", label, epoch, errors);
            }
            LOG.info("{}: left at epoch {} (members {})", label, epoch, remaining.encode());
        }
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
        ensureOpen();
        if (!joined) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, label + ": barrier: not joined (join() first)");
        }
        long deadlineNs = System.nanoTime() + timeoutNs;
        while (true) {
            try {
                group.barrier();
                return;
            } catch (MemFabricException e) {
                if (e.code() != ErrorCode.GROUP_MEMBERSHIP_CHANGED) {
                    throw e;
                }
                if (System.nanoTime() - deadlineNs > 0) {
                    throw new MemFabricTimeoutException(label + ": barrier: the membership kept changing for "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (" + e.getMessage() + ")");
                }
                LOG.debug("{}: barrier restarted: {}", label, e.getMessage());
            }
        }
    }

    /** @return the errors reported by acks ("error ..."), empty when all acked "ok" or are gone. */
    private List<MemFabricException> awaitAcks(long epoch, Membership targets, long deadlineNs, String what) {
        List<MemFabricException> errors = new ArrayList<>();
        List<String> ackKeys = new ArrayList<>();
        for (int member : targets.ranks()) {
            if (member == rank) {
                continue;
            }
            String key = BmKeys.ack(epoch, member);
            ackKeys.add(key);
            while (true) {
                if (closed && Thread.currentThread() != closer) {
                    ensureOpen();
                }
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    throw new MemFabricTimeoutException(label + ": " + what + " at epoch " + epoch + ": rank "
                            + member + " did not acknowledge within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs)
                            + " ms (the " + what + " has taken effect)");
                }
                byte[] value;
                try {
                    value = keys.waitFor(key, remainingNs < ACK_SLICE.toNanos() ? Duration.ofNanos(remainingNs)
                            : ACK_SLICE);
                } catch (MemFabricTimeoutException e) {
                    if (!group.membership().contains(member)) {
                        break; // Left or failed meanwhile: it will not acknowledge, and need not.
                    }
                    continue;
                }
                MemFabricException error = BmKeys.parseAck(value);
                if (error != null) {
                    errors.add(new MemFabricException(error.code(), "rank " + member + ": " + error.getMessage()));
                }
                break;
            }
        }
        if (!ackKeys.isEmpty()) {
            try {
                keys.delete(ackKeys.toArray(new String[0]));
            } catch (RuntimeException e) {
                LOG.debug("{}: deleting the acks of epoch {} failed: {}", label, epoch, e.toString());
            }
        }
        return errors;
    }

    private void awaitState(long deadlineNs, String what) {
        long remainingNs = deadlineNs - System.nanoTime();
        if (remainingNs <= 0) {
            throw new MemFabricTimeoutException(label + ": " + what + " within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
        }
        waitOn(stateMonitor, remainingNs);
    }

    // ------------------------------------------------------------------------------- membership callback thread

    private void onMembershipChange(MembershipEvent event) {
        try {
            int who = event.rank();
            Membership m = event.membership();
            long epoch = event.epoch();
            switch (event.kind()) {
                case JOINED -> {
                    if (who == rank) {
                        onSelfJoined(epoch, m);
                    } else if (memberSince >= 0 && m.contains(rank)) {
                        MemFabricException error = importPeer(who);
                        updateMembers(m);
                        acknowledge(epoch, error);
                    }
                }
                case LEFT -> {
                    if (who == rank) {
                        onSelfDeparted(epoch, m, false);
                    } else if (memberSince >= 0) {
                        removePeer(who, "left");
                        updateMembers(m);
                        if (m.contains(rank)) {
                            acknowledge(epoch, null);
                        }
                    }
                }
                case FAILED -> {
                    if (who == rank) {
                        if (memberSince >= 0) {
                            LOG.warn("{}: this rank was reported failed by the store (epoch {}) and is no longer a "
                                    + "member; join() again", label, epoch);
                        }
                        onSelfDeparted(epoch, m, true);
                    } else {
                        DataPlane.PeerInfo lost = imported.get(who);
                        if (lost != null) {
                            removePeer(who, "failed");
                            cleanSlotFiles(lost);
                        }
                        if (memberSince >= 0) {
                            updateMembers(m);
                        }
                    }
                }
                default -> throw new IllegalStateException("kind=" + event.kind());
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("{}: applying {} failed", label, event, e);
            }
        } finally {
            synchronized (stateMonitor) {
                lastEventEpoch = Math.max(lastEventEpoch, event.epoch());
                stateMonitor.notifyAll();
            }
        }
    }

    private void onSelfJoined(long epoch, Membership m) {
        List<MemFabricException> errors = new ArrayList<>();
        for (int peer : m.ranks()) {
            if (peer != rank) {
                MemFabricException error = importPeer(peer);
                if (error != null) {
                    errors.add(error);
                }
            }
        }
        synchronized (stateMonitor) {
            memberSince = epoch;
            members = m;
            joinedEpoch = epoch;
            joinedMembers = m;
            joinErrors.clear();
            joinErrors.addAll(errors);
            stateMonitor.notifyAll();
        }
    }

    private void onSelfDeparted(long epoch, Membership m, boolean failure) {
        for (Integer peer : new ArrayList<>(imported.keySet())) {
            removePeer(peer, "this rank " + (failure ? "was removed" : "left"));
        }
        if (failure) {
            joined = false;
        }
        synchronized (stateMonitor) {
            memberSince = -1;
            members = Membership.EMPTY;
            departedEpoch = epoch;
            departedMembers = m;
            departedByFailure = failure;
            stateMonitor.notifyAll();
        }
    }

    private void updateMembers(Membership m) {
        synchronized (stateMonitor) {
            members = m;
            stateMonitor.notifyAll();
        }
    }

    /**
     * Reads a peer's record and adds it to the data plane. Never throws: a peer that cannot be imported stays
     * unreachable (copies to it fail with PEER_UNAVAILABLE), and the reason goes back to the joiner in the ack.
     *
     * @return null when the peer is imported, or why not
     */
    private MemFabricException importPeer(int peer) {
        try {
            return importPeerOrThrow(peer);
        } catch (MemFabricException e) {
            LOG.warn("{}: cannot import rank {}: {}", label, peer, e.getMessage());
            return new MemFabricException(e.code(), "rank " + rank + " cannot import rank " + peer + ": "
                    + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot import rank {}", label, peer, e);
            return new MemFabricException(ErrorCode.PEER_UNAVAILABLE, "rank " + rank + " cannot import rank " + peer
                    + ": " + e);
        }
    }

    private MemFabricException importPeerOrThrow(int peer) {
        byte[] raw = keys.get(BmKeys.peer(peer));
        if (raw == null) {
            throw new MemFabricException(ErrorCode.OBJECT_NOT_EXISTS, "no peer record of rank " + peer + " ("
                    + BmKeys.peer(peer) + " is missing)");
        }
        PeerRecord record = PeerRecord.fromBytes(raw);
        if (record.maxHostSize() != createOptions.maxHostSize()
                || record.maxDeviceSize() != createOptions.maxDeviceSize()) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "rank " + peer + " has maxHostSize="
                    + record.maxHostSize() + " maxDeviceSize=" + record.maxDeviceSize() + ", rank " + rank
                    + " has maxHostSize=" + createOptions.maxHostSize() + " maxDeviceSize="
                    + createOptions.maxDeviceSize() + " (expected: the same strides on every rank)");
        }
        DataPlane.PeerInfo info = plane.parse(record.descriptor());
        if (info.rank() != peer) {
            throw new MemFabricException(ErrorCode.PROTOCOL_ERROR, "the peer record of rank " + peer
                    + " describes rank " + info.rank());
        }
        if (imported.containsKey(peer)) {
            removePeer(peer, "imported again");
        }
        AddressSpace next = layout;
        for (SlotDescriptor slot : info.slots()) {
            next = next.withBackedBytes(peer, slot.type(), slot.sizeBytes());
        }
        plane.addPeer(record.descriptor());
        imported.put(peer, info);
        // The layout first, then the reachable bit (both volatile): a copy that sees the bit sees the peer's sizes.
        layout = next;
        long[] bits = reachable.clone();
        bits[peer >>> 6] |= 1L << peer;
        reachable = bits;
        LOG.debug("{}: imported rank {} ({})", label, peer, plane.routeDescription(peer));
        return null;
    }

    private void removePeer(int peer, String why) {
        long[] bits = reachable.clone();
        bits[peer >>> 6] &= ~(1L << peer);
        reachable = bits;
        if (imported.remove(peer) != null) {
            try {
                plane.removePeer(peer);
                LOG.debug("{}: removed rank {} ({})", label, peer, why);
            } catch (RuntimeException e) {
                LOG.warn("{}: removing rank {} ({}) from the data plane failed", label, peer, why, e);
            }
        }
    }

    private void acknowledge(long epoch, MemFabricException error) {
        keys.set(BmKeys.ack(epoch, rank), BmKeys.ackValue(error));
    }

    /** Removes the slot files of a failed peer on this host, once its process is gone (in the background). */
    private void cleanSlotFiles(DataPlane.PeerInfo lost) {
        if (!hostId.equals(lost.hostId()) || lost.slots().isEmpty()) {
            return;
        }
        List<Path> files = new ArrayList<>();
        for (SlotDescriptor slot : lost.slots()) {
            if (SlotDescriptor.SHM_BACKING.equals(slot.backing())) {
                files.add(MemoryConfig.shmDir().resolve(slot.name()));
            }
        }
        try {
            cleaner.execute(() -> removeWhenStale(lost.rank(), files));
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: closed; not cleaning the files of rank {}", label, lost.rank());
        }
    }

    private void removeWhenStale(int peer, List<Path> files) {
        long deadlineNs = System.nanoTime() + FILE_CLEANUP_NS;
        // The store may report the failure a moment before the kernel has released the process's lock on its files;
        // the cleaner removes a file only once its owner is gone and its lock free, so try again until then.
        while (files.stream().anyMatch(Files::exists)) {
            StaleSlotCleaner.clean(MemoryConfig.shmDir());
            if (System.nanoTime() - deadlineNs > 0 || closed) {
                LOG.info("{}: slot files of failed rank {} are still there: {}", label, peer, files);
                return;
            }
            try {
                Thread.sleep(FILE_CLEANUP_PAUSE_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
        LOG.info("{}: slot files of failed rank {} are removed", label, peer);
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    private void ensureOpen() {
        if (closed) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, label + " is closed");
        }
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
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        closer = Thread.currentThread();
        owner.removed(id, this);
        synchronized (stateMonitor) {
            stateMonitor.notifyAll();
        }
        membershipLock.lock();
        try {
            if (joined || group.isMember()) {
                leaveLocked();
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: leave on close failed: {}", label, e.toString());
        } finally {
            membershipLock.unlock();
        }
        cleaner.shutdownNow();
        CloseHelper.closeAll(listenerRegistration, group, plane, this::deleteRecord, deviceSlot, hostSlot, keys,
                client);
        LOG.info("{}: closed", label);
    }

    private void deleteRecord() {
        keys.delete(BmKeys.peer(rank));
    }

    /** @return whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    private static void waitOn(Object monitor, long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(monitor, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MemFabricException(ErrorCode.ERROR, "interrupted while waiting", e);
        }
    }

    @Override
    public String toString() {
        return label + (closed ? " (closed)" : joined ? " (joined)" : "");
    }
}
