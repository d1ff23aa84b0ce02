/**
 * Fault injection: named {@link io.memfabric.common.fault.FaultPoint}s on the paths that fail in real life (store
 * calls, slot creation, data-plane sends), armed with a {@link io.memfabric.common.fault.FaultAction} — fail, delay
 * or kill, a count and a skip — by tests through {@link io.memfabric.common.fault.FaultInjector#activate} and by an
 * operator through the {@code memfabric.fault.points} setting or a fault file (docs/fault-injection.md). Off, a point
 * costs one volatile read of a null reference. Upstream v1.1's failpoints (callback, pause, reset, abort, a count) are
 * the model. Depends on the JDK and {@code io.memfabric.config}/{@code io.memfabric.error} only.
 */
package io.memfabric.common.fault;
