/**
 * The config-store server: RESP2 over TCP on one Netty event loop, keyspace, blocking waits, watches, pub/sub,
 * liveness and rank assignment, limits, TLS and AUTH.
 */
package io.memfabric.store.server;
