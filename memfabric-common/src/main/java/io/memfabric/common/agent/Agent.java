package io.memfabric.common.agent;

/**
 * A duty cycle run on one thread by an {@link AgentRunner} (Agrona's {@code Agent}): {@link #onStart()}, then
 * {@link #doWork()} until the runner stops, then {@link #onClose()}, all on that thread.
 *
 * <p>Thread safety: every method is called on the runner's thread only.
 */
public interface Agent {
    /** Called once on the agent's thread before the first {@link #doWork()}. */
    default void onStart() {
    }

    /**
     * One cycle of work.
     *
     * @return how much work was done; 0 lets the runner idle before the next cycle
     */
    int doWork();

    /** Called once on the agent's thread after the last {@link #doWork()}. */
    default void onClose() {
    }

    /** @return the agent's role, which is also its thread's name, e.g. {@code memfabric-world-r3-group} */
    String roleName();
}
