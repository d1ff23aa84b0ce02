/**
 * Transports: ways to move bytes between this process and one peer rank. {@link io.memfabric.transport.PeerLink} is
 * the one interface (after Mooncake's {@code Transport}); each transport lives in a package of its own
 * ({@code shm}, {@code cma}, {@code tcp}) with package-private internals. Addresses here are a
 * {@link io.memfabric.transport.Space} and an offset (or, for registered memory, an address in the peer's process),
 * never global addresses: the copy layer above resolves those.
 *
 * <p>Depends on {@code io.memfabric.memory}, {@code io.memfabric.nativeio}, {@code common}, {@code config} and
 * {@code error} only. It never sees the store or the group (DESIGN §2): peers arrive as plain values.
 */
package io.memfabric.transport;
