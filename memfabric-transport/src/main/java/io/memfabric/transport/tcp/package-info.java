/**
 * TCP transport: every rank runs a data listener ({@link io.memfabric.transport.tcp.TcpTransport}) that serves
 * one-sided READ, WRITE and third-party PUSH requests straight from or into its slots and registered regions through
 * direct {@code ByteBuffer} views of their {@code MemorySegment}s; peers reach it over a few connections each
 * ({@link io.memfabric.transport.tcp.TcpPeerLink}). The wire protocol is versioned and framed
 * ({@code TcpProtocol}, see {@code docs/transports.md}); every incoming range is checked with the shared overflow-safe
 * check before any memory is touched. Depends on {@code transport}, {@code memory}, {@code common} and {@code error}.
 */
package io.memfabric.transport.tcp;
