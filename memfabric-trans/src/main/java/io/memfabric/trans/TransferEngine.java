package io.memfabric.trans;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.CloseOnce;
import io.memfabric.copy.CopyBatch;
import io.memfabric.copy.CopyEngine;
import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.transport.Space;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The transfer engine (TRANS, upstream's {@code smem_trans} and Python {@code TransferEngine}): an engine registers
 * memory, and reads and writes the memory its peers registered, naming each peer by its session id
 * ({@code ip:port}). It is what moves an LLM's KV cache from a prefill server to a decode server.
 *
 * <h2>Peers and memory</h2>
 * A peer address is the peer's own address inside memory it registered ({@link #registerMemory}) or allocated
 * ({@link #allocate}); every remote range must lie inside one such region, or the transfer fails with
 * {@code ADDRESS_OUT_OF_RANGE} naming the peer, the address and the length, before any byte moves. A SENDER sees
 * RECEIVERs, a RECEIVER sees SENDERs, BOTH sees everyone; a peer an engine does not see, or a session that is not open,
 * is a typed error. A registration is usable by peers as soon as {@code registerMemory} returns (each peer checks
 * where the memory is, or in the engine's shared region table: no fixed sleeps, unlike upstream's 8 s).
 *
 * <h2>Routes</h2>
 * Same host: memory from {@link #allocate} is mapped by peers (one {@code MemorySegment.copy}); other registered
 * memory is reached with {@code process_vm_readv/writev} (one copy by the kernel), each transfer pinning its region in
 * the owner's shared table so that an unregister waits for it. Other hosts: one-sided requests to the peer's data
 * listener, which listens on the session's address.
 *
 * <h2>Discovery</h2>
 * Without a store ({@link #openWithoutStore}), a peer is asked directly at its session's address. Through the config
 * store: each engine publishes a record (rank, role, descriptor) under its session id, and takes a
 * rank in the namespace that it keeps across re-opens; a peer is resolved on first use. Peers that close or die
 * disappear from every engine as soon as the store reports them down (at once when the process ends; within the
 * store's heartbeat timeout when it hangs); {@link #onPeerDown} listeners are told. After a store restart the engine
 * re-publishes its records, and transfers go on.
 *
 * <p>Thread safety: every method from any thread. {@link #close()} is idempotent.
 */
public final class TransferEngine implements AutoCloseable {
    private static final String WRITE = "write";
    private static final String READ = "read";

    private final EngineResources resources;
    private final CloseOnce closed = new CloseOnce();

    private TransferEngine(EngineResources resources) {
        this.resources = resources;
    }

    /**
     * Opens an engine (upstream {@code smem_trans_create}).
     *
     * @param storeUrl  the config store, {@code tcp://ip:port} or {@code tcp://[ipv6]:port}; or {@code null} for none
     *                  ({@link #openWithoutStore})
     * @param sessionId this engine's name, {@code ip:port} or {@code [ipv6]:port}; its data listener listens there
     * @param role      SENDER, RECEIVER or BOTH
     * @param options   settings
     * @return the engine; the caller closes it
     * @throws ConfigurationException {@code INVALID_PARAM} for a bad argument, naming it
     * @throws MemFabricException     when the store cannot be reached in time, the listener cannot bind the session's
     *                                address, or shared memory cannot be made
     */
    public static TransferEngine open(String storeUrl, String sessionId, Role role, TransferEngineOptions options) {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(options, "options");
        if (storeUrl != null && storeUrl.isBlank()) {
            throw new ConfigurationException("storeUrl='" + storeUrl + "' (expected: tcp://<ip>:<port>, or null for "
                    + "no store)");
        }
        return new TransferEngine(EngineResources.open(storeUrl, SessionId.parse(sessionId), role, options));
    }

    /**
     * Opens an engine without a config store (as Mooncake's P2P handshake): a peer's session id is the address of its
     * data listener, which answers what it is, so two processes can transfer with nothing else running. Peers are not
     * told when an engine goes down; a transfer to it fails with {@code PEER_UNAVAILABLE}, and {@link #onPeerDown}
     * listeners are told then. Same as {@code open(null, ...)}.
     *
     * @see #open(String, String, Role, TransferEngineOptions)
     */
    public static TransferEngine openWithoutStore(String sessionId, Role role, TransferEngineOptions options) {
        return open(null, sessionId, role, options);
    }

    /** {@link #open(String, String, Role, TransferEngineOptions)} with the configured options. */
    public static TransferEngine open(String storeUrl, String sessionId, Role role) {
        return open(storeUrl, sessionId, role, TransferEngineOptions.defaults());
    }

    /** @return this engine's session id, in canonical form. */
    public String sessionId() {
        return resources.session().text();
    }

    /** @return this engine's role. */
    public Role role() {
        return resources.role();
    }

    /** @return this engine's rank in its namespace (kept across re-opens of the same session id). */
    public int rank() {
        return resources.rank();
    }

    // ---------------------------------------------------------------------------------------------------- memory

    /**
     * Lets peers read and write {@code segment} (upstream {@code smem_trans_register_mem}); usable by peers when this
     * returns. Registering the same range again does nothing.
     *
     * @param segment native memory of any alignment, including memory the JVM did not allocate; it must stay valid
     *                until {@link #unregisterMemory} or {@link #close()}
     * @throws ConfigurationException {@code INVALID_PARAM} for a heap or empty segment, or one that overlaps another
     *                                registered region
     */
    public void registerMemory(MemorySegment segment) {
        checkOpen();
        resources.registrations().register(segment);
    }

    /** {@link #registerMemory(MemorySegment)} of {@code length} bytes at {@code address} (upstream's form). */
    public void registerMemory(long address, long length) {
        checkOpen();
        if (address == 0 || length < 1) {
            throw new ConfigurationException("registerMemory address=0x" + Long.toHexString(address) + " length="
                    + length + " (expected: a non-null address and length >= 1)");
        }
        resources.registrations().register(MemorySegment.ofAddress(address).reinterpret(length));
    }

    /**
     * Registers many regions (upstream {@code smem_trans_batch_register_mem}): overlapping and adjacent ranges are
     * merged first; all are registered or none.
     *
     * @return the regions registered, after merging, by address
     */
    public List<MemorySegment> batchRegisterMemory(List<MemorySegment> segments) {
        checkOpen();
        if (segments == null || segments.isEmpty()) {
            throw new ConfigurationException("batchRegisterMemory of " + (segments == null ? "null" : "no segments")
                    + " (expected: at least one)");
        }
        return resources.registrations().registerAll(segments);
    }

    /**
     * Withdraws a registration: peers stop resolving it, transfers in flight into it finish first, later ones fail
     * with {@code ADDRESS_OUT_OF_RANGE}. The memory may be freed when this returns.
     *
     * @param address the start of a registered region
     * @throws ConfigurationException {@code INVALID_PARAM} when no registered region starts there
     */
    public void unregisterMemory(long address) {
        checkOpen();
        resources.registrations().unregister(address);
    }

    /** {@link #unregisterMemory(long)} of the region that starts at {@code segment}'s address. */
    public void unregisterMemory(MemorySegment segment) {
        unregisterMemory(Objects.requireNonNull(segment, "segment").address());
    }

    /**
     * Allocates host memory that same-host peers map (upstream {@code smem_trans_malloc}), registered: peers may
     * transfer into it at once. Its pages are populated before this returns.
     *
     * @param bytes at least 1
     * @return the block; valid until {@link #free} or {@link #close()}
     * @throws MemFabricException {@code MALLOC_FAILED} when the pool (of {@code memfabric.trans.pool.bytes}) has no
     *                            free range that large, or the system no memory for its pages
     */
    public MemorySegment allocate(long bytes) {
        checkOpen();
        return resources.registrations().allocate(bytes);
    }

    /**
     * Frees a block from {@link #allocate} (upstream {@code smem_trans_free}); transfers in flight into it finish
     * first.
     *
     * @throws ConfigurationException {@code INVALID_PARAM} when no allocated block starts at {@code address}
     */
    public void free(long address) {
        checkOpen();
        resources.registrations().free(address);
    }

    /** {@link #free(long)} of a block. */
    public void free(MemorySegment block) {
        free(Objects.requireNonNull(block, "block").address());
    }

    // ------------------------------------------------------------------------------------------------- transfers

    /**
     * Writes {@code length} bytes from the start of {@code local} to {@code peerAddress} in the peer's memory
     * (upstream {@code smem_trans_write}).
     *
     * @param peer        the peer's session id
     * @param local       local memory, at least {@code length} bytes (any segment)
     * @param peerAddress the peer's own address inside memory it registered or allocated
     * @param length      bytes, {@code 1..local.byteSize()}
     * @throws ConfigurationException     {@code INVALID_PARAM} for a bad argument or a peer this role does not see
     * @throws AddressOutOfRangeException when the range is not inside one region the peer registered (nothing moved)
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when the peer is not open, or is gone
     */
    public void write(String peer, MemorySegment local, long peerAddress, long length) {
        transfer(WRITE, peer, local, 0, peerAddress, length);
    }

    /**
     * {@link #write(String, MemorySegment, long, long)} from {@code local} at {@code localOffset}, without a slice:
     * the form for callers that address local memory by offset in one large segment (the C library).
     *
     * @param localOffset where the bytes start in {@code local}, {@code 0..local.byteSize() - length}
     */
    public void write(String peer, MemorySegment local, long localOffset, long peerAddress, long length) {
        transfer(WRITE, peer, local, localOffset, peerAddress, length);
    }

    /**
     * Reads {@code length} bytes from {@code peerAddress} in the peer's memory to the start of {@code local} (upstream
     * {@code smem_trans_read}); as {@link #write}, the other way.
     */
    public void read(String peer, MemorySegment local, long peerAddress, long length) {
        transfer(READ, peer, local, 0, peerAddress, length);
    }

    /** {@link #read(String, MemorySegment, long, long)} to {@code local} at {@code localOffset}, without a slice. */
    public void read(String peer, MemorySegment local, long localOffset, long peerAddress, long length) {
        transfer(READ, peer, local, localOffset, peerAddress, length);
    }

    private void transfer(String op, String peer, MemorySegment local, long localOffset, long peerAddress,
                          long length) {
        checkOpen();
        checkLocal(op, local, localOffset, length);
        TransferPeers.Entry entry = resources.peers().get(peer, op);
        try {
            if (op == WRITE) {
                resources.engine().targets().writeTo(local, localOffset, entry.rank(), Space.REGISTERED, peerAddress,
                        length);
            } else {
                resources.engine().targets().readFrom(entry.rank(), Space.REGISTERED, peerAddress, local, localOffset,
                        length);
            }
        } catch (MemFabricException e) {
            throw failure(op, entry, peerAddress, length, e);
        }
    }

    /**
     * Starts {@link #write}; the arguments and the peer are checked now. {@code local} must stay valid, and be
     * accessible from the engine's threads (not of a confined arena), until the handle is done.
     *
     * @return the transfer's handle
     */
    public TransferHandle writeAsync(String peer, MemorySegment local, long peerAddress, long length) {
        return transferAsync(WRITE, peer, local, peerAddress, length);
    }

    /** Starts {@link #read}; as {@link #writeAsync}. */
    public TransferHandle readAsync(String peer, MemorySegment local, long peerAddress, long length) {
        return transferAsync(READ, peer, local, peerAddress, length);
    }

    private TransferHandle transferAsync(String op, String peer, MemorySegment local, long peerAddress, long length) {
        checkOpen();
        checkLocal(op, local, 0, length);
        TransferPeers.Entry entry = resources.peers().get(peer, op);
        try {
            return new TransferHandle(op == WRITE
                    ? resources.engine().targets().writeToAsync(local, 0, entry.rank(), Space.REGISTERED, peerAddress,
                            length)
                    : resources.engine().targets().readFromAsync(entry.rank(), Space.REGISTERED, peerAddress, local,
                            0, length), null);
        } catch (MemFabricException e) {
            throw failure(op, entry, peerAddress, length, e);
        }
    }

    /**
     * Writes every element of a batch to one peer in one call (upstream {@code smem_trans_batch_write}: a KV cache is
     * a hundred blocks at discrete addresses). Each element succeeds or fails on its own; the batch holds each
     * element's result ({@link TransferBatch#status}).
     *
     * @return how many elements failed (0: all moved)
     * @throws ConfigurationException {@code INVALID_PARAM} for an empty batch or a peer this role does not see
     * @throws PeerLostException      {@code PEER_UNAVAILABLE} when the peer is not open
     */
    public int batchWrite(String peer, TransferBatch batch) {
        return runBatch(WRITE, peer, batch, false).failed();
    }

    /** Reads every element of a batch from one peer; as {@link #batchWrite}. */
    public int batchRead(String peer, TransferBatch batch) {
        return runBatch(READ, peer, batch, false).failed();
    }

    /**
     * Starts {@link #batchWrite}; the batch and its segments must not change until the handle is done, when the batch
     * holds each element's result.
     *
     * @return the batch's handle
     */
    public TransferHandle batchWriteAsync(String peer, TransferBatch batch) {
        return runBatch(WRITE, peer, batch, true).handle();
    }

    /** Starts {@link #batchRead}; as {@link #batchWriteAsync}. */
    public TransferHandle batchReadAsync(String peer, TransferBatch batch) {
        return runBatch(READ, peer, batch, true).handle();
    }

    private BatchRun runBatch(String op, String peer, TransferBatch batch, boolean async) {
        checkOpen();
        if (batch == null || batch.isEmpty()) {
            throw new ConfigurationException("batch " + op + " of " + (batch == null ? "null" : "an empty batch")
                    + " (expected: at least one element)");
        }
        TransferPeers.Entry entry = resources.peers().get(peer, op);
        CopyBatch elements = batch.prepareRun(op == WRITE, entry.rank(), entry.session());
        CopyEngine engine = resources.engine();
        if (!async) {
            engine.executePartial(elements);
            return new BatchRun(batch.runEnded(), null);
        }
        TransferHandle handle = new TransferHandle(engine.submit(elements, true), batch::runEnded);
        return new BatchRun(0, handle);
    }

    /** A batch's outcome: the failures of a synchronous run, the handle of an asynchronous one. */
    private record BatchRun(int failed, TransferHandle handle) {
    }

    /**
     * Tells {@code listener} the session id of every peer this engine had resolved when it goes down (upstream
     * {@code smem_trans_set_peer_down_callback}); it runs on the store client's callback thread, or on the thread of
     * a transfer that found the peer gone.
     *
     * @return closing it removes the listener
     */
    public AutoCloseable onPeerDown(Consumer<String> listener) {
        checkOpen();
        return resources.peers().onPeerDown(Objects.requireNonNull(listener, "listener"));
    }

    private static void checkLocal(String op, MemorySegment local, long localOffset, long length) {
        Objects.requireNonNull(local, "local");
        if (localOffset < 0 || length < 1 || length > local.byteSize() - localOffset) {
            throw new ConfigurationException(op + ": localOffset=" + localOffset + " length=" + length + " (expected: "
                    + "length >= 1 and the range inside the local segment of " + local.byteSize() + " bytes)");
        }
    }

    /** The failure of a transfer, in the peer's terms (its session, its address). */
    private MemFabricException failure(String op, TransferPeers.Entry entry, long peerAddress, long length,
                                       MemFabricException e) {
        String what = op + " " + (op == WRITE ? "to " : "from ") + entry.session() + " peerAddress=0x"
                + Long.toHexString(peerAddress) + " length=" + length + ": ";
        if (e instanceof AddressOutOfRangeException) {
            return new AddressOutOfRangeException(what + "not inside one region " + entry.session()
                    + " registered or allocated (" + e.getMessage() + ")", peerAddress, length);
        }
        if (e instanceof PeerLostException lost) {
            resources.peers().lost(entry, lost);
            return new PeerLostException(entry.rank(), what + e.getMessage());
        }
        return e;
    }

    private void checkOpen() {
        if (closed.isClosed()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "TransferEngine " + sessionId() + " is closed");
        }
    }

    /**
     * Closes the engine (upstream {@code smem_trans_destroy}): gives up its rank's hold (its record stays, so that a
     * re-open of the session takes the rank back), stops serving, unmaps its peers, frees its pool and region table,
     * and closes its store connection — peers then see it go down. Idempotent.
     */
    @Override
    public void close() {
        if (closed.begin()) {
            CloseHelper.close(resources);
        }
    }

    @Override
    public String toString() {
        return "TransferEngine{session=" + sessionId() + ", role=" + role() + ", rank=" + rank()
                + (closed.isClosed() ? ", closed" : "") + "}";
    }
}
