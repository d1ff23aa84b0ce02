/**
 * The one family of waits: {@link io.memfabric.common.idle.IdleStrategy} and its strategies (backoff, adaptive busy
 * wait, parking), after Agrona's idle strategies and the Disruptor's wait strategies. Depends on the JDK only.
 */
package io.memfabric.common.idle;
