/**
 * The copy engine: resolves global addresses and targets, picks a route per peer ({@link io.memfabric.copy.RouteTable}:
 * shm, cma or tcp), and runs synchronous, asynchronous and batched copies over the transports.
 *
 * <p>{@link io.memfabric.copy.CopyEngine} is a facade over parts with one job each: {@code PeerTable} (the peers,
 * published as one immutable {@link io.memfabric.copy.PeerView}: the rank's one membership view), {@code Peer} and
 * {@code LinkFactory} (routes, links, fallback; registered memory reached by cma through the peer's region table, or
 * by tcp), {@code TransferPath} (the one path bytes take to a peer's memory: route, striping, fallback, eviction),
 * {@code SyncCopies} (copies by global address or by target), {@code AsyncCopies} (handles and {@code awaitAll}),
 * {@code BatchRunner} (batches resolved, grouped per peer, pipelined over tcp, all or nothing or partial),
 * {@code PushService} (third-party PUSHes received by this rank's listener) and {@link io.memfabric.copy.TargetCopies}
 * (the target-addressed API).
 *
 * <p><b>Asynchronous copies and batches.</b> {@code *Async} methods check their arguments at once and return a {@link
 * io.memfabric.copy.CopyHandle}; small same-host copies are done before they return, others run on the engine's
 * workers. {@code awaitAll()} waits for every outstanding one. A {@link io.memfabric.copy.CopyBatch} is grouped per
 * peer and the groups run concurrently (the caller's thread runs groups too). Large tcp transfers are striped over the
 * peer's connections, one thread per stripe; large same-host copies are split over {@code shmCopyThreads} threads.
 *
 * <p><b>Allocation.</b> Synchronous copies and {@link io.memfabric.copy.CopyHandle#poll()} allocate nothing in steady
 * state (a tcp copy from a segment not seen before on that connection makes one {@code ByteBuffer} view). An
 * asynchronous copy allocates its handle and one task; a batch run allocates one task per group beyond the first.
 *
 * <p>Depends on {@code io.memfabric.transport}, {@code io.memfabric.memory}, {@code io.memfabric.nativeio},
 * {@code common}, {@code config} and {@code error}; never on the store or the group: peers arrive as
 * {@link io.memfabric.copy.PeerDescriptor}s from the layer above.
 */
package io.memfabric.copy;
