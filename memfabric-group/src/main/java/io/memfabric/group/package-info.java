/**
 * The group engine: membership by epochs (advanced only by compare-and-set in the config store), barrier and
 * allgather among the members, sub-groups named by a key, and join / leave / failure events. Depends on the store
 * client, {@code common}, {@code error} and {@code config}; {@code memory} and {@code transport} never depend on it.
 *
 * <p>Public: {@link io.memfabric.group.GroupEngine} (a facade), {@link io.memfabric.group.GroupOptions},
 * {@link io.memfabric.group.Membership}, {@link io.memfabric.group.MembershipEvent} and
 * {@link io.memfabric.group.MembershipListener}. Behind the facade, one job per class:
 * <ul>
 *   <li>{@code EngineContext}: what the parts of one engine share (options, store view, rank, closed flag);</li>
 *   <li>{@code MembershipState}: the applied membership snapshot, the epoch of this engine's join, waits on
 *       them;</li>
 *   <li>{@code EpochProposer}: the compare-and-set of the next epoch record, reading the tip of the chain;</li>
 *   <li>{@code GroupAgent}: follows the chain on the agent thread, applies each record, acknowledges it, checks for
 *       gaps, and proposes the removal of ranks the store reports down; run by {@code common.agent.AgentRunner} as an
 *       {@code Agent} (Agrona's duty cycle);</li>
 *   <li>{@code MembershipChanges}: this rank's join and leave;</li>
 *   <li>{@code Collectives}: barrier and allgather of the group and of sub-groups: round numbers, the
 *       "membership changed" rule, aborts turned into exceptions;</li>
 *   <li>{@code RoundBarrier}: how a round's participants wait for each other; {@code StoreRounds} does it in the
 *       store (counter, release key, poison), a same-host shared-memory barrier is to stand beside it;</li>
 *   <li>{@code RoundRegistry}: the pending rounds, so that a membership change or close aborts those it dooms;</li>
 *   <li>{@code Round}, {@code RoundOutcome}, {@code GatherCodec}, {@code EpochRecord}, {@code GroupKeys}: a round's
 *       identity and keys, its outcome (the release value), the allgather value, the epoch record, the key
 *       layout;</li>
 *   <li>{@code ListenerDispatcher}: the listeners and the one callback thread they run on.</li>
 * </ul>
 */
package io.memfabric.group;
