/**
 * JMH micro-benchmarks of memfabric's hot paths. Nothing depends on this package; run with {@code bin/jmh}.
 */
package io.memfabric.bench;
