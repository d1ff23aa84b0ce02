/**
 * A small benchmark driver of the copy engine between two rank processes on this machine: bandwidth and latency of
 * copies over a chosen route, printed as machine-readable lines beside which {@code shared/bench/peers.sh} prints its
 * references. Used by {@code memfabric bench bm}; figures, not tests.
 */
package io.memfabric.copy.bench;
