/**
 * TCP transport: every rank runs a data listener ({@link io.memfabric.transport.tcp.TcpTransport}) that serves
 * one-sided READ, WRITE and third-party PUSH requests straight from or into its slots and registered regions through
 * direct {@code ByteBuffer} views of their {@code MemorySegment}s; peers reach it over a few connections each
 * ({@link io.memfabric.transport.tcp.TcpPeerLink}). Public: {@code TcpTransport}, {@code TcpPeerLink},
 * {@code TcpOptions} and {@code PushHandler}, which the copy layer uses; the rest is package-private:
 * <ul>
 *   <li>{@code TcpProtocol} and one flyweight per frame ({@code HelloFlyweight}, {@code RequestFlyweight},
 *       {@code ReplyFlyweight}, and {@code AtomicRequestFlyweight}, reserved for remote atomics): the versioned wire
 *       protocol, see {@code docs/transports.md};</li>
 *   <li>{@code FramedChannel}: one non-blocking socket with its buffers, its waits (learned per size class) and the
 *       one implementation of "header, then payload in chunks" that both ends use;</li>
 *   <li>{@code TcpRequestChannel} (a client connection) and {@code TcpListenerChannel} (a served connection, one
 *       handler method per request type); {@code TcpServer} accepts and runs the latter;</li>
 *   <li>{@code SegmentWindows}: the ByteBuffer views through which payloads move without a copy.</li>
 * </ul>
 * Every incoming range is checked with the shared overflow-safe check before any memory is touched. Depends on
 * {@code transport}, {@code memory}, {@code common} and {@code error}.
 */
package io.memfabric.transport.tcp;
