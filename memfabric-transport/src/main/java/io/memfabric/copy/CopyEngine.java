package io.memfabric.copy;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.CloseOnce;
import io.memfabric.common.idle.IdleStrategies;
import io.memfabric.common.idle.ParkingIdleStrategy;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.ShmOptions;
import io.memfabric.nativeio.CrossMemoryAttach;
import io.memfabric.transport.RegisteredRegions;
import io.memfabric.transport.Space;
import io.memfabric.transport.shm.SegmentCopier;
import io.memfabric.transport.tcp.TcpOptions;
import io.memfabric.transport.tcp.TcpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves bytes between local memory ({@code MemorySegment}s) and the global address space (GVAs), between global
 * addresses, and to or from <i>targets</i> (a rank, a space — its HOST or DEVICE slot or its registered memory — and an
 * address in it), choosing a route per peer ({@link RouteTable}: shm, cma or tcp). One engine per rank and pool; the
 * layer above (BigMemory) feeds it membership: {@link #addPeer} when a rank joins, {@link #removePeer} when it leaves
 * or fails.
 *
 * <p>A facade over parts with one job each (see the package documentation); copies addressed by target are
 * {@link #targets()}.
 *
 * <h2>Copies</h2>
 * Local sides are segments (any kind: native, mapped, heap; a local segment is read or written from offset 0), global
 * sides are GVAs; every global side is range-checked against {@link #layout()} before anything moves
 * ({@link AddressOutOfRangeException} naming the address, the length and the slot's bounds), and checked again where
 * the memory is. Copies to this rank's own slots are one {@code MemorySegment.copy}; copies to a peer go over its
 * route. A global-to-global copy moves the data once: when either side is this rank's own or mapped memory, it is a
 * write from it or a read into it; when both sides are remote and unmapped, the source rank's listener is asked to
 * push the bytes to the destination itself (a third-party PUSH), instead of staging them here.
 *
 * <h2>Failures</h2>
 * A peer that is lost (its connection fails and it refuses a reconnection, or its process is gone) is evicted: copies
 * in flight to it fail with {@link PeerLostException} ({@code PEER_UNAVAILABLE}) and later copies fail fast, until
 * the layer above removes it and, if it comes back, adds it again. After {@link #removePeer}, copies to that rank fail
 * fast the same way. Copies to other peers are unaffected throughout, including while peers join and leave.
 *
 * <p>Thread safety: any method from any thread. {@link #close()} is idempotent; it drains copies in flight, closes
 * links and mappings, stops the listener and joins every thread; it does not close the own slots it was given.
 */
public final class CopyEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CopyEngine.class);
    private static final long CLOSE_POLL_NS = 100_000;

    private final CopyEngineOptions options;
    private final int rank;
    private final String hostId;
    private final long peerTimeoutNs;
    private final CloseOnce closed = new CloseOnce();
    private final RegisteredRegions registered;
    private final AtomicInteger threadCount = new AtomicInteger();
    private final OwnSlots own;
    private SegmentCopier copier;
    private Workers workers;
    private TcpTransport tcp;
    private PeerTable peers;
    private SyncCopies sync;
    private AsyncCopies async;
    private BatchRunner batches;
    private TargetCopies targets;
    private PeerDescriptor localDescriptor;

    private CopyEngine(CopyEngineOptions options, int rank, String hostId, OwnSlots own) {
        this.options = options;
        this.rank = rank;
        this.hostId = hostId;
        this.own = own;
        this.registered = new RegisteredRegions(own.regionTable());
        this.peerTimeoutNs = options.peerTimeout().toNanos();
    }

    /**
     * Starts this rank's engine: binds its tcp data listener, which serves its own slots (and regions registered
     * later) to peers, and starts its worker threads.
     *
     * @param options  settings
     * @param rank     this rank, below {@code layout.worldSize()}
     * @param hostId   this rank's host id, equal to the host id in its slots' descriptors (normally
     *                 {@code HostId.current()})
     * @param layout   the pool's address space (strides); the engine records its own slots' sizes in its copy
     * @param ownSlots this rank's slots, HOST and/or DEVICE, at most one of each; owned by the caller, who closes them
     *                 after closing the engine
     * @return the engine; the caller closes it
     * @throws ConfigurationException for a bad argument (a slot of another rank, larger than the stride, ...)
     * @throws MemFabricException     when the listener cannot bind
     */
    public static CopyEngine start(CopyEngineOptions options, int rank, String hostId, AddressSpace layout,
                                   List<MemoryRegion> ownSlots) {
        return start(options, rank, hostId, layout, ownSlots, null);
    }

    /**
     * Starts an engine whose registered memory same-host peers may also reach by cma: {@code regionTable} is shared
     * memory (a mapped file, zeroed) in which the engine publishes every {@link #register registered} region, so that
     * peers check and pin a region before they copy into it, and an {@link #unregister} waits for them.
     *
     * @param regionTable memory of at least {@code RegionTable.bytesFor(capacity)} bytes, owned by the caller, who
     *                    closes it after closing the engine; or {@code null} (registered memory over tcp only)
     * @see #start(CopyEngineOptions, int, String, AddressSpace, List)
     */
    public static CopyEngine start(CopyEngineOptions options, int rank, String hostId, AddressSpace layout,
                                   List<MemoryRegion> ownSlots, MemoryRegion regionTable) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(ownSlots, "ownSlots");
        if (rank < 0 || rank >= layout.worldSize()) {
            throw new ConfigurationException("rank=" + rank + " (expected: 0.." + (layout.worldSize() - 1) + ")");
        }
        OwnSlots slots = OwnSlots.of(rank, layout, ownSlots, regionTable);
        CopyEngine engine = new CopyEngine(options, rank, hostId, slots);
        try {
            engine.wire(slots.layout());
            engine.localDescriptor = new PeerDescriptor(rank, hostId, ProcessHandle.current().pid(),
                    PeerDescriptor.publishedDataAddress(engine.tcp.localAddress()), slots.descriptors(),
                    slots.addresses(), regionTable == null ? null : regionTable.descriptor());
            LOG.debug("rank {}: copy engine started, data listener {}", rank, engine.localDescriptor.dataAddress());
            return engine;
        } catch (RuntimeException | Error e) {
            CloseHelper.quietClose(engine);
            throw e;
        }
    }

    /** Makes the parts, each over the ones below it. */
    private void wire(AddressSpace layout) {
        long spinNs = options.spin().toNanos();
        copier = new SegmentCopier(options.shmCopyThreads(), options.shmSplitBytes(), spinNs,
                r -> newThread("shm-copy", r));
        workers = new Workers(options.asyncThreads(), spinNs, r -> newThread("copy", r));
        PushService push = new PushService(rank, closed);
        tcp = TcpTransport.start(rank, options.dataListen(), own.segment(Space.HOST_SLOT),
                own.segment(Space.DEVICE_SLOT), registered, push, new TcpOptions(options.tcpConnectionsPerPeer(),
                        peerTimeoutNs, spinNs, options.maxPark().toNanos(), options.threadFactory(),
                        "memfabric-r" + rank + "-"));
        CrossMemoryAttach.Probe cma = CrossMemoryAttach.probe();
        RouteTable routes = new RouteTable(options.routes(), options.forceRoute(), hostId, cma.usable(), cma.reason());
        LinkFactory links = new LinkFactory(ShmOptions.fromConfig(), copier, cma.usable());
        peers = new PeerTable(rank, layout, routes, links, tcp, peerTimeoutNs, options.peersNumberedLocally());
        TransferPath path = new TransferPath(rank, links, workers, options.tcpStripeBytes(), spinNs);
        sync = new SyncCopies(rank, peers, path, copier, own);
        async = new AsyncCopies(rank, peers, sync, workers, options.shmSplitBytes(), spinNs);
        batches = new BatchRunner(rank, peers, sync, path, workers, async, spinNs);
        targets = new TargetCopies(this::checkOpen, sync, async, workers, tcp);
        push.attach(peers, sync);
    }

    private Thread newThread(String role, Runnable body) {
        Thread thread = options.threadFactory().newThread(body);
        thread.setName("memfabric-r" + rank + "-" + role + "-" + threadCount.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }

    /** @return this rank. */
    public int rank() {
        return rank;
    }

    /** @return what peers need to reach this rank's memory; publish it to them. */
    public PeerDescriptor localDescriptor() {
        return localDescriptor;
    }

    // ------------------------------------------------------------------------------------------------ membership

    /**
     * Adds a peer, or replaces it when its descriptor changed (a rank that rejoined): picks its route, maps its slots
     * when the route is shm, and records its slot sizes in {@link #layout()}. Tcp connections open on first use.
     * Idempotent for an equal descriptor. Safe while other threads copy.
     *
     * @param peer the peer's descriptor (of another rank than this one, below the world size)
     * @throws ConfigurationException when the descriptor does not fit this pool (rank, slot larger than the stride)
     * @throws MemFabricException     {@code INVALID_PARAM} when no route can reach it (a forced route that cannot
     *                                work for it: the message says why)
     */
    public void addPeer(PeerDescriptor peer) {
        addPeer(Objects.requireNonNull(peer, "peer").rank(), peer);
    }

    /**
     * Adds a peer under a rank this engine gives it (an engine that numbers its peers itself,
     * {@link CopyEngineOptions#peersNumberedLocally()}); otherwise as {@link #addPeer(PeerDescriptor)}.
     */
    public void addPeer(int rank, PeerDescriptor peer) {
        Objects.requireNonNull(peer, "peer");
        checkOpen();
        peers.add(rank, peer);
    }

    /**
     * Removes a peer: later copies to it fail fast with {@link PeerLostException}; copies in flight to it are drained
     * (each ends within the peer timeout); then its slots are unmapped and its connections closed. Unknown ranks are
     * ignored. Safe while other threads copy.
     *
     * @param rank the peer's rank
     */
    public void removePeer(int rank) {
        peers.remove(rank, "rank " + rank + " left (removed from this engine)");
    }

    /**
     * @return the rank's membership view: the layout with every known rank's backed sizes and the peers, as one
     *         immutable value (the product APIs check copies against it)
     */
    public PeerView view() {
        return peers.view();
    }

    /** @return the address space with the backed size of every known rank (an immutable snapshot). */
    public AddressSpace layout() {
        return peers.view().layout();
    }

    /**
     * @param rank a rank
     * @return the route copies to {@code rank} take: {@link Route#SHM} for this rank's own memory
     * @throws PeerLostException when {@code rank} is not a peer (never added, removed, or lost)
     */
    public Route routeTo(int rank) {
        return peers.routeTo(rank);
    }

    /**
     * @param rank a rank
     * @return why copies to {@code rank} take their route, and why not the others; or why it is unavailable
     */
    public String routeReason(int rank) {
        return peers.routeReason(rank);
    }

    // ---------------------------------------------------------------------------------------------------- copies

    /**
     * Copies {@code length} bytes from the start of {@code src} to {@code dstGva} (upstream L2G / H2G).
     *
     * @param src    local memory, at least {@code length} bytes
     * @param dstGva the destination's global address
     * @param length bytes, {@code 1..src.byteSize()}
     * @throws ConfigurationException     {@code INVALID_PARAM} for a bad length
     * @throws AddressOutOfRangeException when the destination range is not backed by one rank's slot
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when the destination rank is gone
     */
    public void write(MemorySegment src, long dstGva, long length) {
        checkOpen();
        CopyArguments.checkLocal("src", src, length);
        sync.writeGlobal(src, 0, dstGva, length, "copy L2G");
    }

    /**
     * Copies {@code length} bytes from {@code srcGva} to the start of {@code dst} (upstream G2L / G2H).
     *
     * @param srcGva the source's global address
     * @param dst    local memory, writable, at least {@code length} bytes
     * @param length bytes, {@code 1..dst.byteSize()}
     * @throws ConfigurationException     {@code INVALID_PARAM} for a bad length or a read-only segment
     * @throws AddressOutOfRangeException when the source range is not backed by one rank's slot
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when the source rank is gone
     */
    public void read(long srcGva, MemorySegment dst, long length) {
        checkOpen();
        CopyArguments.checkLocalWritable(dst, length);
        sync.readGlobal(srcGva, dst, 0, length, "copy G2L");
    }

    /**
     * Copies {@code length} bytes from {@code srcGva} to {@code dstGva} (upstream G2G): a local copy when both are
     * this rank's own or mapped memory, a write or a read when one is, and otherwise a third-party PUSH that makes the
     * source rank send the bytes to the destination directly (they do not pass through this rank).
     *
     * @param srcGva the source's global address
     * @param dstGva the destination's global address
     * @param length bytes, at least 1
     * @throws ConfigurationException     {@code INVALID_PARAM} for a bad length
     * @throws AddressOutOfRangeException when a range is not backed by one rank's slot
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when a rank involved is gone
     */
    public void copy(long srcGva, long dstGva, long length) {
        checkOpen();
        CopyArguments.checkLength(length);
        sync.copyGlobal(srcGva, dstGva, length, "copy G2G");
    }






    /**
     * @return the copies addressed by target (a rank, a space and an address in it): the API of the layers that do
     *         not address memory by global address (TRANS's registered memory)
     */
    public TargetCopies targets() {
        return targets;
    }

    /**
     * Starts {@link #write}: arguments and the range are checked now (and throw as for {@link #write}); the copy
     * completes through the handle. {@code src} must stay valid, and accessible from the engine's threads (not a
     * segment of a confined arena), until the handle is done.
     *
     * @return the copy's handle
     */
    public CopyHandle writeAsync(MemorySegment src, long dstGva, long length) {
        checkOpen();
        CopyArguments.checkLocal("src", src, length);
        CopyArguments.checkShareable("src", src, workers);
        peers.view().locate("copy L2G", dstGva, length, peers);
        return async.write(src, dstGva, length);
    }

    /**
     * Starts {@link #read}: arguments and the range are checked now (and throw as for {@link #read}); the copy
     * completes through the handle. {@code dst} must stay valid, accessible from the engine's threads, and untouched
     * until the handle is done.
     *
     * @return the copy's handle
     */
    public CopyHandle readAsync(long srcGva, MemorySegment dst, long length) {
        checkOpen();
        CopyArguments.checkLocalWritable(dst, length);
        CopyArguments.checkShareable("dst", dst, workers);
        peers.view().locate("copy G2L", srcGva, length, peers);
        return async.read(srcGva, dst, length);
    }

    /**
     * Starts {@link #copy}: arguments and ranges are checked now (and throw as for {@link #copy}); the copy completes
     * through the handle.
     *
     * @return the copy's handle
     */
    public CopyHandle copyAsync(long srcGva, long dstGva, long length) {
        checkOpen();
        CopyArguments.checkLength(length);
        PeerView view = peers.view();
        view.locate("copy G2G", srcGva, length, peers);
        view.locate("copy G2G", dstGva, length, peers);
        return async.copy(srcGva, dstGva, length);
    }

    /**
     * Waits until every asynchronous copy and batch this engine started has completed, then reports the first failure
     * among those that completed since the previous {@code awaitAll} (upstream {@code smem_bm_wait}).
     *
     * @throws MemFabricException the first failure (its type and code as {@link CopyHandle#await()} would throw)
     */
    public void awaitAll() {
        async.awaitAll();
    }

    /**
     * Runs every element of a batch and waits for all of them. Every global range is checked first (nothing moves
     * when one is bad); then the elements are grouped per peer and the groups run concurrently, this thread running
     * groups too.
     *
     * @param batch the copies; not changed
     * @throws AddressOutOfRangeException when an element's range is bad (nothing was copied)
     * @throws MemFabricException         the first failure of a group, once all groups have ended
     */
    public void execute(CopyBatch batch) {
        checkOpen();
        if (!batch.isEmpty()) {
            batches.start(batch, false, false).await();
        }
    }

    /**
     * Runs every element of a batch on its own and waits for all of them (upstream's partial-success batch): an
     * element whose remote side is bad or unreachable fails alone, the others run. Each element's result is in the
     * batch afterwards ({@link CopyBatch#failure(int)}).
     *
     * @param batch the copies
     * @return how many elements failed
     * @throws ConfigurationException {@code INVALID_PARAM} only for a batch the engine cannot run at all
     */
    public int executePartial(CopyBatch batch) {
        checkOpen();
        if (!batch.isEmpty()) {
            batches.start(batch, false, true).await();
        }
        return batch.failedCount();
    }

    /**
     * Starts a batch: ranges are checked now (and throw as for {@link #execute}); the elements complete through the
     * handle. The batch and its segments must not change until the handle is done.
     *
     * @param batch the copies
     * @return the batch's handle
     */
    public CopyHandle submit(CopyBatch batch) {
        return submit(batch, false);
    }

    /**
     * Starts a batch, all or nothing ({@link #submit(CopyBatch)}) or partial ({@link #executePartial}): a partial
     * batch's handle completes successfully once every element has ended, with each element's result in the batch.
     *
     * @param batch   the copies
     * @param partial whether elements fail alone
     * @return the batch's handle
     */
    public CopyHandle submit(CopyBatch batch, boolean partial) {
        checkOpen();
        return batch.isEmpty() ? async.doneNow(() -> { }) : batches.start(batch, true, partial);
    }

    // ------------------------------------------------------------------------------------------ registered memory

    /**
     * Lets peers reach {@code segment} through this engine's data listener, besides the slots (the TRANS API's
     * registered user memory). Copies started here need no registration: any local segment may be a local side.
     * Registering the same address and size again is a no-op.
     *
     * @param segment native memory that stays valid until {@link #unregister}
     * @throws ConfigurationException when it is not native, empty, or overlaps another registered region
     */
    public void register(MemorySegment segment) {
        checkOpen();
        registered.register(segment);
    }

    /**
     * Withdraws a registration; returns once no request uses the region (the caller may then free it). Unknown
     * segments are ignored.
     *
     * @param segment a registered segment
     */
    public void unregister(MemorySegment segment) {
        registered.unregister(segment, peerTimeoutNs);
    }

    // ---------------------------------------------------------------------------------------------------- lifecycle


    private void checkOpen() {
        if (closed.isClosed()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "CopyEngine of rank " + rank + " is closed");
        }
    }

    /**
     * Stops the engine: new copies fail with {@code NOT_INITIALIZED}; asynchronous copies and copies in flight drain
     * (each ends within the peer timeout); then the listener stops, peers are unmapped and disconnected, and every
     * thread is joined. Does not close the own slots. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.begin()) {
            return;
        }
        if (async != null) {
            IdleStrategies.deadline(() -> async.outstanding() == 0, System.nanoTime() + 2 * peerTimeoutNs,
                    new ParkingIdleStrategy(CLOSE_POLL_NS), CLOSE_POLL_NS);
        }
        List<AutoCloseable> steps = new ArrayList<>();
        if (tcp != null) {
            steps.add(tcp);
        }
        if (peers != null) {
            steps.add(peers::closeAll);
        }
        if (workers != null) {
            steps.add(workers);
        }
        if (copier != null) {
            steps.add(copier);
        }
        CloseHelper.closeAll(steps.toArray(new AutoCloseable[0]));
    }

    @Override
    public String toString() {
        return "CopyEngine{rank=" + rank + ", host=" + hostId + ", listener="
                + (localDescriptor != null ? localDescriptor.dataAddress() : "-")
                + (closed.isClosed() ? ", closed" : "") + "}";
    }
}
