package io.memfabric.group;

/**
 * Receives the changes of a group's membership ({@link GroupEngine#addListener}).
 *
 * <p>Thread safety: called on the engine's one callback thread ({@code memfabric-<group>-r<rank>-callback}), never on
 * an I/O thread, one event at a time, in epoch order. A slow listener delays only later events. A listener may call
 * {@link GroupEngine#membership()}, but must not call collectives, {@code join} or {@code leave} of the same engine.
 */
@FunctionalInterface
public interface MembershipListener {
    /**
     * @param event the change: who joined, left or failed, and the membership it produced
     */
    void onMembershipChange(MembershipEvent event);
}
