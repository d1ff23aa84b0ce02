/**
 * Local runs of several rank processes on this machine, for {@code memfabric demo} and the end-to-end benchmarks.
 */
package io.memfabric.cli.local;
