/**
 * TLS 1.3 for the config store: settings and the Netty SSL contexts built from them (CA, certificate, key, CRL).
 */
package io.memfabric.store.tls;
