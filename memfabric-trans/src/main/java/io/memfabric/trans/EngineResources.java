package io.memfabric.trans;

import io.memfabric.common.CloseHelper;
import io.memfabric.copy.CopyEngine;
import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmOptions;
import io.memfabric.memory.ShmPool;
import io.memfabric.memory.ShmSlot;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What one {@link TransferEngine} holds, acquired in order by {@link #open} and released in reverse order by
 * {@link #close()}: a store connection and its directory, the rank it took, the pool of allocatable host memory, the
 * shared table of registered regions, the copy engine (whose listener binds the session's address), the registrations
 * and the peers. If acquiring fails halfway, what was acquired is released before the failure is rethrown.
 *
 * <p>Thread safety: immutable once made; {@link #close()} once, by the engine.
 *
 * @param session       the engine's session id
 * @param role          its role
 * @param rank          its rank in the namespace
 * @param client        the store connection, or null (store-less)
 * @param directory     where peers are found: the namespace's records in the store, or handshakes
 * @param pool          the host memory {@code allocate} hands out (same-host peers map it)
 * @param regionTable   the shared memory of the region table
 * @param engine        the copy engine
 * @param registrations registered regions and allocated blocks
 * @param peers         the peers resolved so far
 */
record EngineResources(SessionId session, Role role, int rank, StoreClient client, SessionDirectory directory,
                       ShmPool pool, ShmSlot regionTable, CopyEngine engine, Registrations registrations,
                       TransferPeers peers) implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineResources.class);

    static EngineResources open(String storeUrl, SessionId session, Role role, TransferEngineOptions options) {
        StoreClient client = null;
        SessionDirectory directory = null;
        ShmPool pool = null;
        ShmSlot table = null;
        CopyEngine engine = null;
        try {
            CopyEngineOptions.Builder copyOptions = CopyEngineOptions.builder()
                    .threadFactory(options.threadFactory());
            options.copyEngine().accept(copyOptions);
            copyOptions.dataListen(session.socketAddress()).peersNumberedLocally(storeUrl == null);
            CopyEngineOptions copy = copyOptions.build();
            StoreDirectory store = null;
            int rank = 0;
            if (storeUrl != null) {
                StoreClientOptions.Builder storeOptions = StoreClientOptions.builder(StoreUrl.parse(storeUrl))
                        .connectTimeout(options.openTimeout());
                options.storeClient().accept(storeOptions);
                client = StoreClient.connect(storeOptions.build());
                store = new StoreDirectory(client, options.namespace());
                directory = store;
                rank = store.claimRank(session.text());
            } else {
                directory = new HandshakeDirectory(copy);
            }
            String fabric = "trans." + options.namespace();
            String object = "p" + session.port();
            ShmOptions shm = ShmOptions.fromConfig();
            pool = ShmPool.create(fabric, object, rank, options.poolBytes(), shm);
            table = ShmSlot.create(fabric, "r" + session.port(), rank, MemoryType.HOST, options.regionTableBytes(),
                    shm);
            // The pool is this rank's HOST slot; every rank's pool fits in the largest stride there is.
            AddressSpace layout = AddressSpace.of(StoreDirectory.MAX_ENGINES, AddressSpace.MAX_STRIDE_BYTES, 0);
            engine = CopyEngine.start(copy, rank, HostId.current(), layout, List.<MemoryRegion>of(pool.slot()),
                    table);
            SessionRecord self = new SessionRecord(session.text(), rank, role, engine.localDescriptor());
            engine.targets().describeAs(self.toBytes());
            TransferPeers peers = new TransferPeers(session.text(), role, engine, directory::resolve);
            if (store != null) {
                store.publish(self);
                store.onPeerDown(peers::down);
            }
            LOG.info("transfer engine {} ({}) open: rank {}, data listener {}, pool of {} bytes, {}", session, role,
                    rank, engine.localDescriptor().dataAddress(), options.poolBytes(),
                    store != null ? "store " + storeUrl : "no store: peers found by handshake");
            return new EngineResources(session, role, rank, client, directory, pool, table, engine,
                    new Registrations(engine, pool), peers);
        } catch (RuntimeException | Error e) {
            CloseHelper.quietClose(directory);
            CloseHelper.quietClose(engine);
            CloseHelper.quietClose(table);
            CloseHelper.quietClose(pool);
            CloseHelper.quietClose(client);
            throw e;
        }
    }

    /**
     * Releases everything in reverse order: the rank's hold in the store, the copy engine (drains transfers, stops the
     * listener, unmaps peers), the region table, the pool, the store connection (peers see the engine go down). Every
     * step runs; the first failure is thrown with the others suppressed.
     */
    @Override
    public void close() {
        CloseHelper.closeAll(directory, engine, regionTable, pool, client);
        LOG.info("transfer engine {} closed", session);
    }
}
