/**
 * The copy engine: resolves global addresses, picks a route per peer ({@link io.memfabric.copy.RouteTable}: shm, cma
 * or tcp), and runs synchronous, asynchronous and batched copies over the transports. Depends on
 * {@code io.memfabric.transport}, {@code io.memfabric.memory}, {@code io.memfabric.nativeio}, {@code common},
 * {@code config} and {@code error}; never on the store or the group: peers arrive as {@link
 * io.memfabric.copy.PeerDescriptor}s from the layer above (BigMemory).
 */
package io.memfabric.copy;
