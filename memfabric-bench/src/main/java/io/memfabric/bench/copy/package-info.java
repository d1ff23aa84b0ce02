/**
 * End-to-end driver of the copy engine between two rank processes ({@code bin/bench-copy}): figures, not tests.
 * Depends on the transport layer (the copy engine) and memory.
 */
package io.memfabric.bench.copy;
