/**
 * TRANS: {@link io.memfabric.trans.TransferEngine} and what it takes and returns. The engine is a facade over
 * {@code EngineResources} (store connection, pool, region table, copy engine, opened and closed in order),
 * {@code StoreDirectory} (records and ranks in the store, liveness), {@code TransferPeers} (peers by session, resolved
 * on first use) and {@code Registrations} (registered regions and allocated blocks). Depends on the copy engine, the
 * memory layer and the store; never on the group engine or BM.
 */
package io.memfabric.trans;
