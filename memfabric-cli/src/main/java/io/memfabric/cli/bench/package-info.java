/**
 * End-to-end benchmarks of the {@code memfabric bench} command: {@code bench bm} (BigMemory copies between local
 * rank processes) and {@code bench store} (the config store), each reporting its figures beside references measured
 * in the same run with {@code shared/bench/peers.sh} and its programs. Figures, not tests: nothing here asserts a
 * timing. Depends on the CLI's shared parts, the product APIs and the store.
 */
package io.memfabric.cli.bench;
