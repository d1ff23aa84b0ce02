/**
 * RESP2 wire codec: one Netty decoder per direction, {@code RespCommandDecoder} (server: commands) and
 * {@code RespReplyDecoder} (client: replies), each a state machine over one element at a time that checks every
 * length, arity and depth before it allocates, and both stop at a malformed message the same way
 * ({@code RespStreamDecoder}); both read lines with {@code RespLines} and numbers with
 * {@code RespNumberParser} (which also gives the server redis-server's integer rules); {@code RespWriter} writes
 * values. Depends on {@code io.memfabric.error} and Netty buffers only.
 */
package io.memfabric.store.protocol;
