/**
 * The Java client of the config store: pipelined, thread-safe, deadlines on every call, reconnects with backoff,
 * key-prefixed views, watch and event callbacks on one dedicated thread.
 */
package io.memfabric.store.client;
