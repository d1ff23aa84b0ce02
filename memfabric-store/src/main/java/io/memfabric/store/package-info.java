/**
 * The config store: a RESP2 rendezvous server ({@code server}), its Java client ({@code client}), the wire codec
 * ({@code protocol}) and TLS settings ({@code tls}). Depends on {@code memfabric-common} and Netty only, and is usable
 * on its own.
 */
package io.memfabric.store;
