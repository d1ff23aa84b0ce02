package io.memfabric.common.idle;

/**
 * How a thread waits between polls that found nothing (Agrona's {@code IdleStrategy}, the Disruptor's wait
 * strategies): the one family of waits in memfabric. A loop calls {@link #idle()} after each empty poll and
 * {@link #reset()} when work arrives; the strategy decides whether to spin, yield or park.
 * <pre>{@code
 * idle.reset();
 * while (!condition()) {
 *     if (!idle.idle()) {
 *         blockInMyOwnWay();            // only strategies with a bounded busy phase return false
 *     }
 * }
 * }</pre>
 *
 * <p>Implementations (each states its CPU cost):
 * <ul>
 *   <li>{@link BackoffIdleStrategy}: spin, then yield, then park with a doubling pause up to a cap; never returns
 *       {@code false}. For waits of unknown length (a drain, a peer's answer, a reconnect).</li>
 *   <li>{@link AdaptiveBusyWait}: a bounded busy phase that learns whether spinning, yielding or parking at once
 *       waits less where it runs; returns {@code false} when the caller should block (in a selector, on a monitor).
 *       For the transports' request/reply waits, where a microsecond matters.</li>
 *   <li>{@link ParkingIdleStrategy}: parks a fixed time at every step; no busy phase at all.</li>
 * </ul>
 * {@link IdleStrategies#deadline} runs the common "wait until a condition holds or a deadline passes" loop over any
 * of them.
 *
 * <p>Thread safety: an instance holds per-wait state and belongs to one thread at a time.
 */
public interface IdleStrategy {
    /**
     * One step of waiting, after a poll found nothing.
     *
     * @return {@code true} when the strategy has waited (spun, yielded or parked) and the caller should poll again;
     *         {@code false} when its busy phase is over and the caller should block in its own way (it may call this
     *         again afterwards, which returns {@code false} until {@link #reset()})
     */
    boolean idle();

    /** Work arrived: the wait is over, and the next one starts from its first phase again. */
    void reset();

    /**
     * The duty-cycle form (Agrona's {@code idle(workCount)}): resets when the last poll did work, waits otherwise.
     *
     * @param workCount what the last poll did; {@code > 0} means work
     * @return as {@link #idle()}; {@code true} after a reset
     */
    default boolean idle(int workCount) {
        if (workCount > 0) {
            reset();
            return true;
        }
        return idle();
    }
}
