package io.memfabric.copy;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmOptions;
import io.memfabric.memory.SlotDescriptor;
import io.memfabric.nativeio.CrossMemoryAttach;
import io.memfabric.common.idle.AdaptiveBusyWait;
import io.memfabric.transport.LinkUnusableException;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.RegisteredRegions;
import io.memfabric.transport.Space;
import io.memfabric.transport.TransferOps;
import io.memfabric.transport.cma.CmaPeerLink;
import io.memfabric.transport.shm.SegmentCopier;
import io.memfabric.transport.shm.ShmPeerLink;
import io.memfabric.transport.tcp.TcpOptions;
import io.memfabric.transport.tcp.TcpPeerLink;
import io.memfabric.transport.tcp.TcpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves bytes between local memory ({@code MemorySegment}s) and the global address space (GVAs), and between global
 * addresses, choosing a route per peer ({@link RouteTable}: shm, cma or tcp). One engine per rank and pool; the layer
 * above (BigMemory) feeds it membership: {@link #addPeer} when a rank joins, {@link #removePeer} when it leaves or
 * fails.
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
 * <h2>Asynchronous copies and batches</h2>
 * {@code *Async} methods check their arguments at once and return a {@link CopyHandle}; small same-host copies are
 * done before they return, others run on the engine's workers. {@link #awaitAll()} waits for every outstanding one.
 * A {@link CopyBatch} is grouped per peer and the groups run concurrently (the caller's thread runs groups too).
 * Large tcp transfers are striped over the peer's connections, one thread per stripe; large same-host copies are split
 * over {@link CopyEngineOptions#shmCopyThreads()} threads.
 *
 * <h2>Failures</h2>
 * A peer that is lost (its connection fails and it refuses a reconnection, or its process is gone) is evicted: copies
 * in flight to it fail with {@link PeerLostException} ({@code PEER_UNAVAILABLE}) and later copies fail fast, until
 * the layer above removes it and, if it comes back, adds it again. After {@link #removePeer}, copies to that rank fail
 * fast the same way. Copies to other peers are unaffected throughout, including while peers join and leave.
 *
 * <h2>Allocation</h2>
 * Synchronous copies and {@link CopyHandle#poll()} allocate nothing in steady state (a tcp copy from a segment not
 * seen before on that connection makes one {@code ByteBuffer} view). An asynchronous copy allocates its handle and
 * one task; a batch run allocates one task per group beyond the first.
 *
 * <p>Thread safety: any method from any thread. {@link #close()} is idempotent; it drains copies in flight, closes
 * links and mappings, stops the listener and joins every thread; it does not close the own slots it was given.
 */
public final class CopyEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CopyEngine.class);
    private static final VarHandle CLOSED;
    private static final int SLOT_SPACES = 2;
    /** The spaces by ordinal ({@code Space.values()} would clone its array at every call). */
    private static final Space[] SPACES = Space.values();

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(CopyEngine.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CopyEngineOptions options;
    private final int rank;
    private final String hostId;
    private final MemorySegment[] own = new MemorySegment[SLOT_SPACES];
    private final RouteTable routeTable;
    private final ShmOptions shmOptions;
    private final long spinNs;
    private final long peerTimeoutNs;
    private final long stripeBytes;
    private final long inlineAsyncBytes;
    private final RegisteredRegions registered = new RegisteredRegions();
    private final AtomicReferenceArray<String> unavailable;
    private final Object membershipLock = new Object();
    private final AtomicLong outstanding = new AtomicLong();
    private final Object idleLock = new Object();
    private final AtomicReference<MemFabricException> asyncFailure = new AtomicReference<>();
    private final AtomicInteger threadCount = new AtomicInteger();
    private SegmentCopier copier;
    private Workers workers;
    private TcpTransport tcp;
    private PeerDescriptor localDescriptor;
    /** Layout and peers, published together with one volatile write (the membership lock's holder writes it). */
    private volatile Snapshot snapshot;
    @SuppressWarnings("unused") // accessed through CLOSED
    private volatile boolean closed;

    private CopyEngine(CopyEngineOptions options, int rank, String hostId, AddressSpace layout) {
        this.options = options;
        this.rank = rank;
        this.hostId = hostId;
        this.snapshot = new Snapshot(layout, new Peer[layout.worldSize()]);
        this.spinNs = options.spin().toNanos();
        this.peerTimeoutNs = options.peerTimeout().toNanos();
        this.stripeBytes = options.tcpStripeBytes();
        this.inlineAsyncBytes = options.shmSplitBytes();
        this.shmOptions = ShmOptions.fromConfig();
        this.unavailable = new AtomicReferenceArray<>(layout.worldSize());
        CrossMemoryAttach.Probe cma = CrossMemoryAttach.probe();
        this.routeTable = new RouteTable(options.routes(), options.forceRoute(), hostId, cma.usable(), cma.reason());
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
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(ownSlots, "ownSlots");
        if (rank < 0 || rank >= layout.worldSize()) {
            throw new ConfigurationException("rank=" + rank + " (expected: 0.." + (layout.worldSize() - 1) + ")");
        }
        AddressSpace withOwn = layout;
        List<SlotDescriptor> descriptors = new ArrayList<>();
        List<Long> addresses = new ArrayList<>();
        MemorySegment[] segments = new MemorySegment[SLOT_SPACES];
        for (MemoryRegion region : ownSlots) {
            SlotDescriptor d = region.descriptor();
            if (d.rank() != rank) {
                throw new ConfigurationException("own slot " + d.name() + " is of rank " + d.rank() + " (expected: "
                        + rank + ")");
            }
            int index = Space.of(d.type()).ordinal();
            if (segments[index] != null) {
                throw new ConfigurationException("two own " + d.type() + " slots (expected: at most one per type)");
            }
            segments[index] = region.segment();
            withOwn = withOwn.withBackedBytes(rank, d.type(), d.sizeBytes());
            descriptors.add(d);
            addresses.add(region.segment().isNative() ? region.segment().address() : 0L);
        }
        CopyEngine engine = new CopyEngine(options, rank, hostId, withOwn);
        System.arraycopy(segments, 0, engine.own, 0, SLOT_SPACES);
        try {
            engine.copier = new SegmentCopier(options.shmCopyThreads(), options.shmSplitBytes(), engine.spinNs,
                    r -> engine.newThread("shm-copy", r));
            engine.workers = new Workers(options.asyncThreads(), engine.spinNs, r -> engine.newThread("copy", r));
            engine.tcp = TcpTransport.start(rank, options.dataListen(), segments[Space.HOST_SLOT.ordinal()],
                    segments[Space.DEVICE_SLOT.ordinal()], engine.registered, engine::servePush,
                    new TcpOptions(options.tcpConnectionsPerPeer(), engine.peerTimeoutNs, engine.spinNs,
                            options.maxPark().toNanos(), options.threadFactory(), "memfabric-r" + rank + "-"));
            engine.localDescriptor = new PeerDescriptor(rank, hostId, ProcessHandle.current().pid(),
                    publishedAddress(engine.tcp.localAddress()), descriptors, addresses);
            LOG.debug("rank {}: copy engine started, data listener {}, {}", rank, engine.localDescriptor.dataAddress(),
                    engine.routeTable);
            return engine;
        } catch (RuntimeException | Error e) {
            CloseHelper.quietClose(engine);
            throw e;
        }
    }

    private static String publishedAddress(InetSocketAddress bound) {
        if (bound.getAddress().isAnyLocalAddress()) {
            try {
                return PeerDescriptor.formatDataAddress(new InetSocketAddress(InetAddress.getLocalHost(),
                        bound.getPort()));
            } catch (UnknownHostException e) {
                throw new ConfigurationException("the data listener binds a wildcard address and this host's name "
                        + "does not resolve: bind a specific address (" + CopyEngineOptions.DATA_LISTEN_PROP + ")");
            }
        }
        return PeerDescriptor.formatDataAddress(bound);
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
        Objects.requireNonNull(peer, "peer");
        synchronized (membershipLock) {
            checkOpen();
            int r = peer.rank();
            AddressSpace current = snapshot.layout();
            if (r >= current.worldSize() || r == rank) {
                throw new ConfigurationException("peer rank=" + r + " (expected: 0.." + (current.worldSize() - 1)
                        + ", not this rank " + rank + ")");
            }
            Peer existing = snapshot.peers()[r];
            if (existing != null && existing.descriptor.equals(peer) && existing.lost == null) {
                return;
            }
            AddressSpace next = current;
            for (MemoryType type : MemoryType.values()) {
                SlotDescriptor slot = peer.slot(type);
                next = next.withBackedBytes(r, type, slot == null ? 0 : slot.sizeBytes());
            }
            RouteTable.Choice choice = routeTable.choose(peer);
            if (choice.route() == null) {
                throw new MemFabricException(ErrorCode.INVALID_PARAM, choice.reason());
            }
            if (existing != null) {
                unpublish(r, false);
                drainAndClose(r, existing, "rank " + r + " was replaced");
            }
            Peer p = new Peer(peer, choice, tcp.link(r, peer.dataSocketAddress()));
            try {
                p.connectPrimary(this);
            } catch (RuntimeException | Error e) {
                p.closeLinks();
                throw e;
            }
            Peer[] peers = snapshot.peers().clone();
            peers[r] = p;
            unavailable.set(r, null);
            // One write publishes the peer and the layout that makes its addresses valid together.
            snapshot = new Snapshot(next, peers);
            LOG.debug("rank {}: peer {} added, route {}", rank, r, p.reason);
        }
    }

    /**
     * Removes a peer: later copies to it fail fast with {@link PeerLostException}; copies in flight to it are drained
     * (each ends within the peer timeout); then its slots are unmapped and its connections closed. Unknown ranks are
     * ignored. Safe while other threads copy.
     *
     * @param rank the peer's rank
     */
    public void removePeer(int rank) {
        synchronized (membershipLock) {
            int worldSize = snapshot.layout().worldSize();
            if (rank < 0 || rank >= worldSize || rank == this.rank) {
                throw new ConfigurationException("rank=" + rank + " (expected: a peer rank below " + worldSize + ")");
            }
            Peer p = snapshot.peers()[rank];
            unavailable.set(rank, "rank " + rank + " left (removed from this engine)");
            if (p != null) {
                unpublish(rank, true);
                drainAndClose(rank, p, "rank " + rank + " was removed");
            }
        }
    }

    /** Publishes a snapshot without rank {@code r} (and, if asked, with its slots unbacked). Under the lock. */
    private void unpublish(int r, boolean unback) {
        Snapshot current = snapshot;
        Peer[] peers = current.peers().clone();
        peers[r] = null;
        AddressSpace layout = current.layout();
        if (unback) {
            for (MemoryType type : MemoryType.values()) {
                layout = layout.withBackedBytes(r, type, 0);
            }
        }
        snapshot = new Snapshot(layout, peers);
    }

    /** Waits for the copies in flight to an unpublished peer, then closes its links. Under the membership lock. */
    private void drainAndClose(int r, Peer p, String why) {
        // Sequentially consistent with acquire(): a copy increments inFlight, then reads closing.
        p.closing = true;
        long deadline = System.nanoTime() + 2 * peerTimeoutNs + 1_000_000_000L;
        while (p.inFlight.get() > 0) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("rank {}: {} copies to rank {} still in flight after the drain timeout; closing its links "
                        + "under them ({})", rank, p.inFlight.get(), r, why);
                break;
            }
            LockSupport.parkNanos(20_000);
        }
        p.closeLinks();
    }

    /** @return the address space with the backed size of every known rank (an immutable snapshot). */
    public AddressSpace layout() {
        return snapshot.layout();
    }

    /**
     * @param rank a rank
     * @return the route copies to {@code rank} take: {@link Route#SHM} for this rank's own memory
     * @throws PeerLostException when {@code rank} is not a peer (never added, removed, or lost)
     */
    public Route routeTo(int rank) {
        if (rank == this.rank) {
            return Route.SHM;
        }
        Peer[] peers = snapshot.peers();
        Peer p = rank >= 0 && rank < peers.length ? peers[rank] : null;
        if (p == null) {
            throw unavailable(rank, "routeTo");
        }
        return p.route;
    }

    /**
     * @param rank a rank
     * @return why copies to {@code rank} take their route, and why not the others; or why it is unavailable
     */
    public String routeReason(int rank) {
        if (rank == this.rank) {
            return RouteTable.ownRankReason();
        }
        Peer[] peers = snapshot.peers();
        Peer p = rank >= 0 && rank < peers.length ? peers[rank] : null;
        if (p == null) {
            return unavailable(rank, "route").getMessage();
        }
        return p.lost != null ? p.reason + "; evicted: " + p.lost : p.reason;
    }

    // ------------------------------------------------------------------------------------------------ sync copies

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
        checkLocal("src", src, length);
        writeGlobal(src, 0, dstGva, length, "copy L2G");
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
        checkLocalWritable(dst, length);
        readGlobal(srcGva, dst, 0, length, "copy G2L");
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
        if (length < 1) {
            throw new ConfigurationException("length=" + length + " (expected: >= 1)");
        }
        copyGlobal(srcGva, dstGva, length, "copy G2G");
    }

    // ----------------------------------------------------------------------------------------------- async copies

    /**
     * Starts {@link #write}: arguments and the range are checked now (and throw as for {@link #write}); the copy
     * completes through the handle. {@code src} must stay valid, and accessible from the engine's threads (not a
     * segment of a confined arena), until the handle is done.
     *
     * @return the copy's handle
     */
    public CopyHandle writeAsync(MemorySegment src, long dstGva, long length) {
        checkOpen();
        checkLocal("src", src, length);
        checkAsyncAccess("src", src);
        checkRange("copy L2G", dstGva, length);
        if (isDirect(dstGva, length)) {
            return doneNow(() -> writeGlobal(src, 0, dstGva, length, "copy L2G"));
        }
        CopyHandle handle = newAsyncHandle(1);
        workers.submit(new PartTask(handle) {
            @Override
            void body() {
                writeGlobal(src, 0, dstGva, length, "copy L2G");
            }
        });
        return handle;
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
        checkLocalWritable(dst, length);
        checkAsyncAccess("dst", dst);
        checkRange("copy G2L", srcGva, length);
        if (isDirect(srcGva, length)) {
            return doneNow(() -> readGlobal(srcGva, dst, 0, length, "copy G2L"));
        }
        CopyHandle handle = newAsyncHandle(1);
        workers.submit(new PartTask(handle) {
            @Override
            void body() {
                readGlobal(srcGva, dst, 0, length, "copy G2L");
            }
        });
        return handle;
    }

    /**
     * Starts {@link #copy}: arguments and ranges are checked now (and throw as for {@link #copy}); the copy completes
     * through the handle.
     *
     * @return the copy's handle
     */
    public CopyHandle copyAsync(long srcGva, long dstGva, long length) {
        checkOpen();
        if (length < 1) {
            throw new ConfigurationException("length=" + length + " (expected: >= 1)");
        }
        checkRange("copy G2G", srcGva, length);
        checkRange("copy G2G", dstGva, length);
        if (isDirect(srcGva, length) && isDirect(dstGva, length)) {
            return doneNow(() -> copyGlobal(srcGva, dstGva, length, "copy G2G"));
        }
        CopyHandle handle = newAsyncHandle(1);
        workers.submit(new PartTask(handle) {
            @Override
            void body() {
                copyGlobal(srcGva, dstGva, length, "copy G2G");
            }
        });
        return handle;
    }

    /**
     * Waits until every asynchronous copy and batch this engine started has completed, then reports the first failure
     * among those that completed since the previous {@code awaitAll} (upstream {@code smem_bm_wait}).
     *
     * @throws MemFabricException the first failure (its type and code as {@link CopyHandle#await()} would throw)
     */
    public void awaitAll() {
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
        MemFabricException failure = asyncFailure.getAndSet(null);
        if (failure != null) {
            throw CopyHandle.rethrow(failure);
        }
    }

    /** Called by an async handle when it completes. */
    void asyncCompleted(CopyHandle handle, MemFabricException failure) {
        if (failure != null) {
            asyncFailure.compareAndSet(null, failure);
        }
        if (outstanding.decrementAndGet() == 0) {
            synchronized (idleLock) {
                idleLock.notifyAll();
            }
        }
    }

    private CopyHandle newAsyncHandle(int parts) {
        outstanding.incrementAndGet();
        return new CopyHandle(this, parts, spinNs);
    }

    /** Runs a small same-host copy at once and returns its completed handle (no hand-off costs more than it). */
    private CopyHandle doneNow(Runnable copy) {
        CopyHandle handle = newAsyncHandle(1);
        try {
            copy.run();
            handle.partDone();
        } catch (MemFabricException e) {
            handle.partFailed(e);
        }
        return handle;
    }

    /** @return whether a copy of this range is a small copy of own or mapped memory (done inline by async calls). */
    private boolean isDirect(long gva, long length) {
        if (length >= inlineAsyncBytes) {
            return false;
        }
        Snapshot s = snapshot;
        int r = s.layout().rankOf(gva);
        if (r == rank) {
            return true;
        }
        Peer p = r >= 0 ? s.peers()[r] : null;
        return p != null && p.route == Route.SHM;
    }

    // ---------------------------------------------------------------------------------------------------- batches

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
        if (batch.isEmpty()) {
            return;
        }
        CopyHandle handle = startBatch(batch, false);
        handle.await();
    }

    /**
     * Starts a batch: ranges are checked now (and throw as for {@link #execute}); the elements complete through the
     * handle. The batch and its segments must not change until the handle is done.
     *
     * @param batch the copies
     * @return the batch's handle
     */
    public CopyHandle submit(CopyBatch batch) {
        checkOpen();
        if (batch.isEmpty()) {
            return doneNow(() -> { });
        }
        return startBatch(batch, true);
    }

    private CopyHandle startBatch(CopyBatch batch, boolean async) {
        int n = batch.size();
        Snapshot snap = snapshot;
        AddressSpace l = snap.layout();
        long[] keys = batch.sortScratch(n);
        boolean shareable = true;
        for (int i = 0; i < n; i++) {
            long length = batch.lengths[i];
            if (batch.locals[i] != null && !workers.canAccess(batch.locals[i])) {
                if (async) {
                    checkAsyncAccess("batch element " + i, batch.locals[i]);
                }
                shareable = false;
            }
            int peer;
            switch (batch.directions[i]) {
                case CopyBatch.WRITE -> {
                    checkRange(snap, "copy batch L2G", batch.destinationGvas[i], length);
                    peer = l.rankOf(batch.destinationGvas[i]);
                }
                case CopyBatch.READ -> {
                    checkRange(snap, "copy batch G2L", batch.sourceGvas[i], length);
                    peer = l.rankOf(batch.sourceGvas[i]);
                }
                default -> {
                    checkRange(snap, "copy batch G2G", batch.sourceGvas[i], length);
                    checkRange(snap, "copy batch G2G", batch.destinationGvas[i], length);
                    int src = l.rankOf(batch.sourceGvas[i]);
                    peer = src == rank || isMapped(snap, src) ? l.rankOf(batch.destinationGvas[i]) : src;
                }
            }
            keys[i] = ((long) peer << 32) | i;
        }
        Arrays.sort(keys, 0, n);
        int groups = 1;
        for (int i = 1; i < n; i++) {
            if ((keys[i] >>> 32) != (keys[i - 1] >>> 32)) {
                groups++;
            }
        }
        CopyHandle handle = async ? newAsyncHandle(groups) : new CopyHandle(null, groups, spinNs);
        BatchGroup[] parts = new BatchGroup[groups];
        int from = 0;
        int g = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || (keys[i] >>> 32) != (keys[i - 1] >>> 32)) {
                parts[g++] = new BatchGroup(handle, batch, keys, from, i);
                from = i;
            }
        }
        // Segments of this thread's confined arena can only be copied by this thread: then it runs every group.
        for (int k = async ? 0 : 1; shareable && k < groups; k++) {
            workers.submit(parts[k]);
        }
        if (!async) {
            parts[0].run();
            // Run the groups no worker has started yet (so that waiting never needs a free worker).
            for (int k = 1; k < groups; k++) {
                parts[k].run();
            }
        }
        return handle;
    }

    /** One batch group: the elements of one peer, run in order. */
    private final class BatchGroup extends PartTask {
        private final CopyBatch batch;
        private final long[] keys;
        private final int from;
        private final int to;

        BatchGroup(CopyHandle handle, CopyBatch batch, long[] keys, int from, int to) {
            super(handle);
            this.batch = batch;
            this.keys = keys;
            this.from = from;
            this.to = to;
        }

        @Override
        void body() {
            int peerRank = (int) (keys[from] >>> 32);
            Peer p = peerRank != rank ? snapshot.peers()[peerRank] : null;
            if (p != null && p.route == Route.TCP && to - from > 1) {
                pipelined(peerRank);
                return;
            }
            for (int k = from; k < to; k++) {
                int i = (int) keys[k];
                long length = batch.lengths[i];
                switch (batch.directions[i]) {
                    case CopyBatch.WRITE -> writeGlobal(batch.locals[i], 0, batch.destinationGvas[i], length,
                            "copy batch L2G");
                    case CopyBatch.READ -> readGlobal(batch.sourceGvas[i], batch.locals[i], 0, length,
                            "copy batch G2L");
                    default -> copyGlobal(batch.sourceGvas[i], batch.destinationGvas[i], length, "copy batch G2G");
                }
            }
        }

        /** The writes and reads of a tcp peer, pipelined on one connection; then its G2G elements one by one. */
        private void pipelined(int peerRank) {
            Snapshot s = snapshot;
            TransferOps ops = new TransferOps(to - from);
            boolean copies = false;
            for (int k = from; k < to; k++) {
                int i = (int) keys[k];
                long length = batch.lengths[i];
                byte direction = batch.directions[i];
                if (direction == CopyBatch.COPY) {
                    copies = true;
                    continue;
                }
                long gva = direction == CopyBatch.WRITE ? batch.destinationGvas[i] : batch.sourceGvas[i];
                long offset = locate(s, "copy batch", gva, length);
                if (direction == CopyBatch.WRITE) {
                    ops.addWrite(batch.locals[i], 0, SPACES[spaceOf(gva)], offset, length);
                } else {
                    ops.addRead(SPACES[spaceOf(gva)], offset, batch.locals[i], 0, length);
                }
            }
            if (ops.size() > 0) {
                Peer p = acquire(s, peerRank, "copy batch");
                try {
                    p.tcp.execute(ops);
                } catch (PeerLostException e) {
                    evictIfLost(p, e);
                    throw e;
                } finally {
                    p.inFlight.decrementAndGet();
                }
            }
            if (copies) {
                for (int k = from; k < to; k++) {
                    int i = (int) keys[k];
                    if (batch.directions[i] == CopyBatch.COPY) {
                        copyGlobal(batch.sourceGvas[i], batch.destinationGvas[i], batch.lengths[i], "copy batch G2G");
                    }
                }
            }
        }
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

    // ---------------------------------------------------------------------------------------------------- internals

    /** L2G: from {@code src} at {@code srcOffset} to a global range. */
    private void writeGlobal(MemorySegment src, long srcOffset, long dstGva, long length, String op) {
        Snapshot s = snapshot;
        long offset = locate(s, op, dstGva, length);
        int r = s.layout().rankOf(dstGva);
        int space = spaceOf(dstGva);
        if (r == rank) {
            // One copy, into this rank's own slot.
            copier.copy(src, srcOffset, own[space], offset, length);
            return;
        }
        Peer p = acquire(s, r, op);
        try {
            peerWrite(p, src, srcOffset, space, offset, length);
        } finally {
            p.inFlight.decrementAndGet();
        }
    }

    /** G2L: from a global range to {@code dst} at {@code dstOffset}. */
    private void readGlobal(long srcGva, MemorySegment dst, long dstOffset, long length, String op) {
        Snapshot s = snapshot;
        long offset = locate(s, op, srcGva, length);
        int r = s.layout().rankOf(srcGva);
        int space = spaceOf(srcGva);
        if (r == rank) {
            copier.copy(own[space], offset, dst, dstOffset, length);
            return;
        }
        Peer p = acquire(s, r, op);
        try {
            peerRead(p, space, offset, dst, dstOffset, length);
        } finally {
            p.inFlight.decrementAndGet();
        }
    }

    /** G2G: the data moves once, from wherever it is to wherever it goes. */
    private void copyGlobal(long srcGva, long dstGva, long length, String op) {
        Snapshot s = snapshot;
        long srcOffset = locate(s, op, srcGva, length);
        long dstOffset = locate(s, op, dstGva, length);
        AddressSpace l = s.layout();
        int srcRank = l.rankOf(srcGva);
        int dstRank = l.rankOf(dstGva);
        int srcSpace = spaceOf(srcGva);
        int dstSpace = spaceOf(dstGva);
        Peer src = null;
        Peer dst = null;
        try {
            MemorySegment srcMemory;
            if (srcRank == rank) {
                srcMemory = own[srcSpace];
            } else {
                src = acquire(s, srcRank, op);
                srcMemory = src.mapped(srcSpace);
            }
            if (srcMemory != null) {
                // The source is here (own or mapped): write it to the destination.
                if (dstRank == rank) {
                    copier.copy(srcMemory, srcOffset, own[dstSpace], dstOffset, length);
                } else {
                    dst = acquire(s, dstRank, op);
                    peerWrite(dst, srcMemory, srcOffset, dstSpace, dstOffset, length);
                }
                return;
            }
            MemorySegment dstMemory;
            if (dstRank == rank) {
                dstMemory = own[dstSpace];
            } else {
                dst = acquire(s, dstRank, op);
                dstMemory = dst.mapped(dstSpace);
            }
            if (dstMemory != null) {
                // The destination is here: read the source into it.
                peerRead(src, srcSpace, srcOffset, dstMemory, dstOffset, length);
                return;
            }
            // Both remote and unmapped: the source rank pushes the bytes to the destination itself.
            src.tcp.push(SPACES[srcSpace], srcOffset, length, dstRank, SPACES[dstSpace], dstOffset);
        } catch (PeerLostException e) {
            if (src != null && e.rank() == srcRank) {
                evictIfLost(src, e);
            }
            throw e;
        } finally {
            if (src != null) {
                src.inFlight.decrementAndGet();
            }
            if (dst != null) {
                dst.inFlight.decrementAndGet();
            }
        }
    }

    private void peerWrite(Peer p, MemorySegment src, long srcOffset, int space, long offset, long length) {
        peerTransfer(p, true, src, srcOffset, space, offset, length);
    }

    private void peerRead(Peer p, int space, long offset, MemorySegment dst, long dstOffset, long length) {
        peerTransfer(p, false, dst, dstOffset, space, offset, length);
    }

    /**
     * One transfer between {@code local} and a peer's memory over the peer's current route, striped when it is a
     * large tcp transfer; a route that turns out unusable falls back to the next one and the transfer is retried.
     */
    private void peerTransfer(Peer p, boolean write, MemorySegment local, long localOffset, int space, long offset,
                              long length) {
        while (true) {
            Route route = p.route;
            PeerLink link = p.link;
            try {
                if (route == Route.TCP && length >= 2 * stripeBytes && p.tcp.connectionCount() > 1
                        && workers.canAccess(local)) {
                    striped(p, write, local, localOffset, space, offset, length);
                } else if (write) {
                    link.write(local, localOffset, SPACES[space], offset, length);
                } else {
                    link.read(SPACES[space], offset, local, localOffset, length);
                }
                return;
            } catch (LinkUnusableException e) {
                p.fallBack(this, route, e.getMessage());
            } catch (PeerLostException e) {
                evictIfLost(p, e);
                throw e;
            }
        }
    }

    /** A large tcp transfer: one stripe per connection, each on its own thread (this one runs the first). */
    private void striped(Peer p, boolean write, MemorySegment local, long localOffset, int space, long offset,
                         long length) {
        int stripes = (int) Math.min(p.tcp.connectionCount(), length / stripeBytes);
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
                            p.tcp.write(local, localOffset + begin, SPACES[space], offset + begin, n);
                        } else {
                            p.tcp.read(SPACES[space], offset + begin, local, localOffset + begin, n);
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

    /** Evicts a peer whose loss is final (its process is gone, or it refused a reconnection). */
    private void evictIfLost(Peer p, PeerLostException e) {
        if (e.rank() != p.descriptor.rank()) {
            return;
        }
        boolean tcpLost = p.tcp.lostReason() != null;
        if (p.route != Route.TCP || tcpLost) {
            if (p.lost == null) {
                p.lost = e.getMessage();
                LOG.warn("rank {}: peer {} evicted: {}", rank, p.descriptor.rank(), e.getMessage());
            }
        }
    }

    /** Service of a third-party PUSH received by this rank's listener: this rank's slot to another rank. */
    private int servePush(Space srcSpace, long srcOffset, long length, int dstRank, Space dstSpace, long dstOffset) {
        try {
            if (closed) {
                return ErrorCode.NOT_INITIALIZED.value();
            }
            AddressSpace l = snapshot.layout();
            MemoryType type = dstSpace.memoryType();
            long stride = l.strideBytes(type);
            if (dstRank < 0 || dstRank >= l.worldSize() || dstOffset < 0 || dstOffset >= stride) {
                return ErrorCode.ADDRESS_OUT_OF_RANGE.value();
            }
            long dstGva = AddressSpace.base(type) + dstRank * stride + dstOffset;
            writeGlobal(own[srcSpace.ordinal()], srcOffset, dstGva, length, "push G2G");
            return 0;
        } catch (MemFabricException e) {
            return e.code().value();
        } catch (RuntimeException e) {
            LOG.warn("rank {}: third-party push to rank {} failed", rank, dstRank, e);
            return ErrorCode.ERROR.value();
        }
    }

    private boolean isMapped(Snapshot s, int r) {
        Peer p = r >= 0 && r != rank ? s.peers()[r] : null;
        return p != null && p.route == Route.SHM;
    }

    /** Pins a peer for one copy; throws fast when it is gone. */
    private Peer acquire(Snapshot s, int r, String op) {
        Peer p = s.peers()[r];
        if (p == null) {
            throw unavailable(r, op);
        }
        p.inFlight.incrementAndGet();
        // Sequentially consistent with drainAndClose(): it sets closing, then reads inFlight.
        if (p.closing || p.lost != null) {
            p.inFlight.decrementAndGet();
            throw p.lost != null
                    ? new PeerLostException(r, op + ": rank " + r + " is lost: " + p.lost)
                    : unavailable(r, op);
        }
        return p;
    }

    private PeerLostException unavailable(int r, String op) {
        String why = r >= 0 && r < unavailable.length() ? unavailable.get(r) : null;
        return new PeerLostException(r, op + ": rank " + r + " is not available"
                + (why != null ? ": " + why : " (never added as a peer)"));
    }

    /** Checks a global range against a snapshot's layout and locates it in its rank's slot. */
    private long locate(Snapshot s, String op, long gva, long length) {
        long offset = s.layout().offsetInRange(gva, length);
        if (offset < 0) {
            throw rangeFailure(s, op, gva, length, (int) offset);
        }
        return offset;
    }

    private MemFabricException rangeFailure(Snapshot s, String op, long gva, long length, int status) {
        AddressSpace l = s.layout();
        if (status == AddressSpace.OUTSIDE_SLOT) {
            int r = l.rankOf(gva);
            // A rank that is not a peer (never added, removed, leaving) is unavailable, not out of range.
            if (r >= 0 && r != rank && s.peers()[r] == null) {
                return unavailable(r, op);
            }
        }
        try {
            l.checkRange(op, gva, length);
        } catch (AddressOutOfRangeException e) {
            return e;
        }
        return new AddressOutOfRangeException(op + ": gva=0x" + Long.toHexString(gva) + " length=" + length
                + " is out of range", gva, length);
    }

    private void checkRange(String op, long gva, long length) {
        checkRange(snapshot, op, gva, length);
    }

    private void checkRange(Snapshot s, String op, long gva, long length) {
        locate(s, op, gva, length);
    }

    private static int spaceOf(long gva) {
        return gva >= AddressSpace.HOST_BASE ? Space.HOST_SLOT.ordinal() : Space.DEVICE_SLOT.ordinal();
    }

    private static void checkLocal(String name, MemorySegment segment, long length) {
        Objects.requireNonNull(segment, name);
        if (length < 1 || length > segment.byteSize()) {
            throw new ConfigurationException("length=" + length + " (expected: 1.." + segment.byteSize()
                    + ", the size of " + name + ")");
        }
    }

    private static void checkLocalWritable(MemorySegment dst, long length) {
        checkLocal("dst", dst, length);
        if (dst.isReadOnly()) {
            throw new ConfigurationException("dst is read-only (expected: a writable segment)");
        }
    }

    private void checkAsyncAccess(String name, MemorySegment segment) {
        if (!workers.canAccess(segment)) {
            throw new ConfigurationException(name + " belongs to a confined arena of another thread (expected: a "
                    + "segment the engine's threads may access, e.g. of a shared or automatic arena, or on the heap)");
        }
    }

    private void checkOpen() {
        if (closed) {
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
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        long deadline = System.nanoTime() + 2 * peerTimeoutNs;
        while (outstanding.get() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(100_000);
        }
        List<AutoCloseable> steps = new ArrayList<>();
        if (tcp != null) {
            steps.add(tcp);
        }
        steps.add(() -> {
            synchronized (membershipLock) {
                Peer[] peers = snapshot.peers();
                for (int r = 0; r < peers.length; r++) {
                    if (peers[r] != null) {
                        unavailable.set(r, "the engine is closed");
                        unpublish(r, false);
                        drainAndClose(r, peers[r], "engine closed");
                    }
                }
            }
        });
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
                + (localDescriptor != null ? localDescriptor.dataAddress() : "-") + (closed ? ", closed" : "") + "}";
    }

    /**
     * The membership a copy works with: the layout (backed sizes) and the peers, consistent with each other because
     * they are published together.
     *
     * @param layout the address space with every known rank's backed sizes
     * @param peers  the peer of each rank, or {@code null}; never changed once published
     */
    private record Snapshot(AddressSpace layout, Peer[] peers) {
    }

    /**
     * What the engine knows of one peer: its descriptor, its routes (chosen and fallbacks), its links, and the copies
     * in flight to it (so that it is unmapped only when they have drained).
     */
    private static final class Peer {
        final PeerDescriptor descriptor;
        final TcpPeerLink tcp;
        final AtomicInteger inFlight = new AtomicInteger();
        final List<Route> candidates;
        final List<PeerLink> links = new ArrayList<>();
        volatile Route route;
        volatile PeerLink link;
        volatile String reason;
        volatile boolean closing;
        volatile String lost;
        private volatile MemorySegment[] mapped = new MemorySegment[SLOT_SPACES];

        Peer(PeerDescriptor descriptor, RouteTable.Choice choice, TcpPeerLink tcp) {
            this.descriptor = descriptor;
            this.candidates = new ArrayList<>(choice.candidates());
            this.reason = choice.reason();
            this.tcp = tcp;
            links.add(tcp);
        }

        /** Makes the link of the first candidate that works (a mapping may fail: then the next one). */
        void connectPrimary(CopyEngine engine) {
            StringBuilder failures = new StringBuilder();
            while (!candidates.isEmpty()) {
                Route candidate = candidates.get(0);
                try {
                    PeerLink made = engine.makeLink(this, candidate);
                    link = made;
                    route = candidate;
                    if (made != tcp) {
                        links.add(made);
                    }
                    if (candidate == Route.SHM) {
                        MemorySegment[] m = new MemorySegment[SLOT_SPACES];
                        for (int s = 0; s < SLOT_SPACES; s++) {
                            m[s] = made.mapped(SPACES[s]);
                        }
                        mapped = m;
                    }
                    if (!failures.isEmpty()) {
                        reason = candidate.wireName() + " after " + failures + "; " + reason;
                    }
                    return;
                } catch (MemFabricException e) {
                    failures.append(failures.isEmpty() ? "" : "; ").append(candidate.wireName()).append(" failed: ")
                            .append(e.getMessage());
                    candidates.remove(0);
                }
            }
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "no route to rank " + descriptor.rank() + ": "
                    + failures + " (" + reason + ")");
        }

        /** A route failed at run time for a reason that will not go away: move to the next one. */
        synchronized void fallBack(CopyEngine engine, Route failed, String why) {
            if (route != failed) {
                return; // another thread already moved on
            }
            candidates.remove(failed);
            Route previous = route;
            String before = reason;
            mapped = new MemorySegment[SLOT_SPACES];
            connectPrimaryOrLose(engine);
            reason = route.wireName() + " after " + previous.wireName() + " failed at run time: " + why + "; "
                    + before;
            LOG.info("rank {}: route to rank {} falls back from {} to {}: {}", engine.rank, descriptor.rank(),
                    previous.wireName(), route.wireName(), why);
        }

        private void connectPrimaryOrLose(CopyEngine engine) {
            try {
                connectPrimary(engine);
            } catch (MemFabricException e) {
                lost = e.getMessage();
                throw new PeerLostException(descriptor.rank(), e.getMessage());
            }
        }

        MemorySegment mapped(int space) {
            return mapped[space];
        }

        void closeLinks() {
            List<AutoCloseable> all = new ArrayList<>(links);
            CloseHelper.closeAll(all.toArray(new AutoCloseable[0]));
        }
    }

    private PeerLink makeLink(Peer p, Route route) {
        PeerDescriptor d = p.descriptor;
        return switch (route) {
            case SHM -> ShmPeerLink.map(d.rank(), d.slots(), shmOptions, copier);
            case CMA -> {
                SlotDescriptor host = d.slot(MemoryType.HOST);
                SlotDescriptor device = d.slot(MemoryType.DEVICE);
                yield new CmaPeerLink(d.rank(), d.pid(), d.slotAddress(MemoryType.HOST),
                        host == null ? 0 : host.sizeBytes(), d.slotAddress(MemoryType.DEVICE),
                        device == null ? 0 : device.sizeBytes());
            }
            case TCP -> p.tcp;
        };
    }
}
