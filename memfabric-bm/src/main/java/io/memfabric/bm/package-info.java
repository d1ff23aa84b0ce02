/**
 * BigMemory: the pooled-memory API (upstream's {@code smem_bm}). {@link io.memfabric.bm.BigMemory#init} connects a
 * process to a fabric and gives it a rank; {@link io.memfabric.bm.BigMemory#create} makes a pool object
 * ({@link io.memfabric.bm.BigMemorySpace}) to which the rank contributes a HOST and a DEVICE slot, each byte of which
 * has a global address; ranks {@code join()} and {@code leave()} it, and copy between local
 * {@link java.lang.foreign.MemorySegment}s and any rank's slots in every upstream direction
 * ({@link io.memfabric.bm.CopyType}), one at a time, in batches ({@link io.memfabric.bm.BigMemoryBatch}) or
 * asynchronously ({@link io.memfabric.bm.CopyCompletion}).
 *
 * <p>Errors are {@link io.memfabric.error.MemFabricException}s with upstream's codes:
 * <ul>
 *   <li>{@code INVALID_PARAM} for bad arguments;</li>
 *   <li>{@code NOT_INITIALIZED} after close;</li>
 *   <li>{@code TIMEOUT} ({@link io.memfabric.error.MemFabricTimeoutException}) when other ranks do not answer in
 *       time;</li>
 *   <li>{@code PEER_UNAVAILABLE} ({@link io.memfabric.error.PeerLostException}) for a rank that is not (or no longer)
 *       a member;</li>
 *   <li>{@code ADDRESS_OUT_OF_RANGE} ({@link io.memfabric.error.AddressOutOfRangeException}) for an address outside
 *       a slot.</li>
 * </ul>
 *
 * <p>Depends on the group engine ({@code io.memfabric.group}) for membership, the copy layer for moving bytes,
 * {@code io.memfabric.memory} for slots and addresses, the store client and server, and {@code common}, {@code error}
 * and {@code config}. Nothing below depends on it.
 */
package io.memfabric.bm;
