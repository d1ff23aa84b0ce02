package io.memfabric.bm;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.CloseOnce;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One process's membership in a BigMemory fabric: its connection to the config store and its rank (upstream
 * {@code smem_bm_init} / {@code smem_bm_uninit}). From it, {@link #create} makes the pool objects
 * ({@link BigMemorySpace}) that this rank contributes memory to and copies through.
 *
 * <pre>{@code
 * try (BigMemory bm = BigMemory.init("tcp://127.0.0.1:7000", 4, BigMemoryOptions.defaults());
 *      BigMemorySpace space = bm.create(0, CreateOptions.of(64L << 20, 64L << 20))) {
 *     space.join();
 *     space.awaitMembers(4, Duration.ofSeconds(60));
 *     long next = space.peerAddress((bm.rank() + 1) % 4, MemoryType.DEVICE);
 *     space.copy(data, next, data.byteSize(), CopyType.H2G);
 *     space.barrier();
 * }
 * }</pre>
 *
 * <h2>The embedded store</h2>
 * When {@link BigMemoryOptions#startConfigStoreServer()} is set and the store URL's IP is one of this host's addresses
 * (loopback included), this process tries to start the store itself ({@link StoreServer#startIfAbsent}) before it
 * connects: with auto-ranking every such process tries, and whichever binds first wins (the others find the address
 * in use and simply connect); without auto-ranking only the process with {@code rankId == 0} tries (upstream-api
 * §7.2). The process that started the store hosts it until its {@link #close()}, which stops it: every other rank then
 * loses the store — its store calls fail ({@code STORE_IO_ERROR}, then reconnect attempts), its membership can no
 * longer change, and a rank that dies is no longer detected (copies between live ranks keep working, as they do not
 * involve the store). So close the process that hosts the store last, as upstream's rank 0 does;
 * {@link #startedStore()} tells whether this is that process.
 *
 * <h2>Ranks</h2>
 * With auto-ranking (the default) the store gives the lowest rank in {@code [0, worldSize)} that no live process of the
 * fabric holds, in arrival order; a rank is held until this object closes (or the process dies) and is then reused.
 * Without it, {@link BigMemoryOptions#rankId()} is asked for and granted, or refused with
 * {@code STORE_RANK_UNAVAILABLE} when another live process holds it.
 *
 * <p>Thread safety: every method may be called from any thread. One instance per process is usual (upstream allows
 * one); several in one JVM are independent ranks, which tests use.
 */
public final class BigMemory implements AutoCloseable {
    /** The largest world size (upstream {@code SMEM_WORLD_SIZE_MAX}). */
    public static final int MAX_WORLD_SIZE = 1024;
    /** The largest BigMemory object id: upstream requires {@code id * 2 + 1 < 511}. */
    public static final int MAX_ID = 254;

    private static final Logger LOG = LoggerFactory.getLogger(BigMemory.class);

    private final StoreUrl storeUrl;
    private final int worldSize;
    private final BigMemoryOptions options;
    private final StoreServer server;
    private final StoreClient client;
    private final StoreClient fabric;
    private final int rank;
    /** Open objects by id; guarded by itself. */
    private final Map<Integer, BigMemorySpace> spaces = new TreeMap<>();
    private final CloseOnce closed = new CloseOnce();

    private BigMemory(StoreUrl storeUrl, int worldSize, BigMemoryOptions options, StoreServer server,
                      StoreClient client, StoreClient fabric, int rank) {
        this.storeUrl = storeUrl;
        this.worldSize = worldSize;
        this.options = options;
        this.server = server;
        this.client = client;
        this.fabric = fabric;
        this.rank = rank;
    }

    /**
     * {@link #init(String, int, BigMemoryOptions)} with {@link BigMemoryOptions#defaults()}.
     *
     * @param storeUrl  {@code tcp://<ipv4>:<port>} or {@code tcp://[<ipv6>]:<port>}
     * @param worldSize the number of ranks, 1..{@value #MAX_WORLD_SIZE}
     * @return this process's handle on the fabric; the caller closes it
     * @see #init(String, int, BigMemoryOptions)
     */
    public static BigMemory init(String storeUrl, int worldSize) {
        return init(storeUrl, worldSize, BigMemoryOptions.defaults());
    }

    /**
     * Joins a fabric: starts the embedded store if this process should (see the class documentation), connects to
     * the store and takes a rank.
     *
     * @param storeUrl  {@code tcp://<ipv4>:<port>} or {@code tcp://[<ipv6>]:<port>}, port 1025..65535
     * @param worldSize the number of ranks, 1..{@value #MAX_WORLD_SIZE}; the same in every process
     * @param options   the settings
     * @return this process's handle on the fabric; the caller closes it
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a bad URL, world size, options, or a
     *                            {@code rankId >= worldSize} without auto-ranking;
     *                            {@link io.memfabric.error.StoreException} {@code STORE_IO_ERROR} when the store cannot
     *                            be reached (or started) in time, {@code STORE_WORLD_SIZE_EXCEEDED} when every rank is
     *                            taken, {@code STORE_RANK_UNAVAILABLE} when the explicit rank is held by another live
     *                            process
     */
    public static BigMemory init(String storeUrl, int worldSize, BigMemoryOptions options) {
        if (options == null) {
            throw new ConfigurationException("options=null (expected: BigMemoryOptions)");
        }
        StoreUrl url = StoreUrl.parse(storeUrl);
        if (worldSize < 1 || worldSize > MAX_WORLD_SIZE) {
            throw new ConfigurationException("worldSize=" + worldSize + " (expected: 1.." + MAX_WORLD_SIZE + ")");
        }
        if (!options.autoRanking() && options.rankId() >= worldSize) {
            throw new ConfigurationException("rankId=" + options.rankId() + " (expected: 0.." + (worldSize - 1)
                    + ", below worldSize=" + worldSize + ")");
        }
        StoreServer server = null;
        StoreClient client = null;
        StoreClient fabric = null;
        try {
            if (options.startConfigStoreServer() && (options.autoRanking() || options.rankId() == 0)
                    && isLocalAddress(url)) {
                StoreServerOptions.Builder serverOptions = StoreServerOptions.builder().listen(url);
                options.storeServer().accept(serverOptions);
                Optional<StoreServer> started = StoreServer.startIfAbsent(serverOptions.build());
                server = started.orElse(null);
            }
            StoreClientOptions.Builder clientOptions = StoreClientOptions.builder(url);
            options.storeClient().accept(clientOptions);
            client = StoreClient.connect(clientOptions.build());
            fabric = client.withPrefix(BmKeys.fabric(options.fabricId()));
            int rank = fabric.assignRank(worldSize, options.autoRanking() ? -1 : options.rankId());
            LOG.info("BigMemory fabric {} rank {} of {} on store {}{}", options.fabricId(), rank, worldSize, url,
                    server != null ? " (hosted by this process)" : "");
            return new BigMemory(url, worldSize, options, server, client, fabric, rank);
        } catch (RuntimeException | Error e) {
            CloseHelper.quietClose(fabric);
            CloseHelper.quietClose(client);
            CloseHelper.quietClose(server);
            throw e;
        }
    }

    /** @return whether {@code url}'s IP is loopback or an address of one of this host's interfaces. */
    static boolean isLocalAddress(StoreUrl url) {
        try {
            InetAddress address = InetAddress.getByName(url.host());
            return address.isLoopbackAddress() || address.isAnyLocalAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (UnknownHostException | SocketException e) {
            LOG.debug("cannot tell whether {} is local: {}", url.host(), e.toString());
            return false;
        }
    }

    /**
     * Creates a BigMemory object on this rank (upstream {@code smem_bm_create2}): allocates this rank's HOST and
     * DEVICE slots (the DEVICE tier is emulated in host shared memory where no accelerator provider is present, and the
     * log says so), starts its data plane and publishes how to reach it. It does not join: call
     * {@link BigMemorySpace#join()}. Every rank that takes part creates the object with the same id and the same
     * strides.
     *
     * @param id      the object's id, 0..{@value #MAX_ID}; unique in this process
     * @param options sizes and strides
     * @return the object; the caller closes it (closing this BigMemory closes it too)
     * @throws MemFabricException {@link ErrorCode#NOT_INITIALIZED} after {@link #close()};
     *                            {@link ErrorCode#INVALID_PARAM} for a bad id or options;
     *                            {@link ErrorCode#DUPLICATED_OBJECT} when this process has an open object with that id;
     *                            {@link ErrorCode#MALLOC_FAILED} when the memory cannot be allocated; store errors as
     *                            {@link #init}
     */
    public BigMemorySpace create(int id, CreateOptions options) {
        ensureOpen();
        if (id < 0 || id > MAX_ID) {
            throw new ConfigurationException("id=" + id + " (expected: 0.." + MAX_ID + ")");
        }
        if (options == null) {
            throw new ConfigurationException("options=null (expected: CreateOptions)");
        }
        synchronized (spaces) {
            ensureOpen();
            if (spaces.containsKey(id)) {
                throw new MemFabricException(ErrorCode.DUPLICATED_OBJECT, "create: BigMemory id=" + id
                        + " already exists on rank " + rank + " (close it first)");
            }
            spaces.put(id, null); // Reserved while it is made, outside the lock.
        }
        BigMemorySpace space = null;
        try {
            space = BigMemorySpace.create(this, id, options);
        } finally {
            if (space == null) {
                synchronized (spaces) {
                    spaces.remove(id);
                }
            }
        }
        synchronized (spaces) {
            if (!closed.isClosed()) {
                spaces.put(id, space);
                return space;
            }
            spaces.remove(id);
        }
        // Closed while the object was made: close() did not see it, so it is closed here.
        space.close();
        throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "create: BigMemory rank " + rank + " of fabric "
                + this.options.fabricId() + " was closed while id=" + id + " was created");
    }

    /**
     * {@link #create(int, CreateOptions)} with {@code CreateOptions.builder().build()} (the configured sizes).
     *
     * @param id the object's id, 0..{@value #MAX_ID}
     * @return the object; the caller closes it
     * @see #create(int, CreateOptions)
     */
    public BigMemorySpace create(int id) {
        return create(id, CreateOptions.builder().build());
    }

    /** Called by a space when it closes. */
    void removed(int id, BigMemorySpace space) {
        synchronized (spaces) {
            spaces.remove(id, space);
        }
    }

    /** @return this process's rank, {@code 0..worldSize-1} (upstream {@code smem_bm_get_rank_id}). */
    public int rank() {
        return rank;
    }

    /** @return the number of ranks of the fabric. */
    public int worldSize() {
        return worldSize;
    }

    /** @return the store's URL. */
    public StoreUrl storeUrl() {
        return storeUrl;
    }

    /** @return the options this BigMemory was made with. */
    public BigMemoryOptions options() {
        return options;
    }

    /** @return whether this process started (hosts) the store; see the class documentation. */
    public boolean startedStore() {
        return server != null;
    }

    /** @return whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed.isClosed();
    }

    StoreClientOptions storeClientOptions() {
        StoreClientOptions.Builder builder = StoreClientOptions.builder(storeUrl);
        options.storeClient().accept(builder);
        return builder.build();
    }

    void ensureOpen() {
        if (closed.isClosed()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, "BigMemory rank " + rank + " of fabric "
                    + options.fabricId() + " is closed");
        }
    }

    /**
     * Closes every open object of this rank ({@link BigMemorySpace#close()}: leaves, stops its data plane, frees its
     * memory), gives the rank back, closes the store connection, and stops the store if this process started it (see
     * the class documentation for what that means for the other ranks). Idempotent. Every step runs even if one fails;
     * the first failure is thrown with the others suppressed.
     */
    @Override
    public void close() {
        if (!closed.begin()) {
            return;
        }
        List<AutoCloseable> steps = new ArrayList<>();
        synchronized (spaces) {
            for (BigMemorySpace space : spaces.values()) {
                if (space != null) {
                    steps.add(space);
                }
            }
        }
        steps.add(fabric);
        steps.add(client);
        if (server != null) {
            steps.add(server);
        }
        LOG.info("BigMemory fabric {} rank {}: closing{}", options.fabricId(), rank,
                server != null ? " (and the store it hosts)" : "");
        CloseHelper.closeAll(steps.toArray(new AutoCloseable[0]));
    }

    @Override
    public String toString() {
        return "BigMemory{fabric=" + options.fabricId() + ", rank=" + rank + ", worldSize=" + worldSize + ", store="
                + storeUrl + (server != null ? " (hosted)" : "") + (closed.isClosed() ? ", closed" : "") + "}";
    }
}
