/**
 * RESP2 wire codec: a parser that checks every length, arity and depth before it allocates, Netty decoders for
 * commands (server) and replies (client), and a writer. Depends on {@code io.memfabric.error} and Netty buffers only.
 */
package io.memfabric.store.protocol;
