package io.memfabric.bm;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.PeerLostException;
import io.memfabric.group.Membership;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A rank's membership of one BigMemory object as its data plane has applied it: written by the membership callback
 * thread ({@link PeerImporter}) after each event, waited on by {@link JoinProtocol} and
 * {@link BigMemorySpace#awaitMembers}. The group engine's membership says who is a member; this says which of those
 * changes this rank's copy engine has already carried out.
 *
 * <p>Thread safety: every method from any thread; one monitor guards the state and wakes its waiters.
 */
final class MemberState {
    /** What {@link #awaitJoined} returns: the epoch this rank joined at, the members then, and import errors. */
    record Joined(long epoch, Membership members, List<MemFabricException> errors) {
    }

    /** What {@link #awaitDeparted} returns: the epoch this rank left at, the members then, and whether it failed. */
    record Departed(long epoch, Membership remaining, boolean failure) {
    }

    private final Object monitor = new Object();
    private final SpaceLifecycle lifecycle;
    private final int rank;
    private final long timeoutNs;
    private long memberSince = -1;
    /** The epoch of the last event the callback thread has applied. */
    private long lastEventEpoch = -1;
    private Membership members = Membership.EMPTY;
    private long joinedEpoch = -1;
    private Membership joinedMembers = Membership.EMPTY;
    private final List<MemFabricException> joinErrors = new ArrayList<>();
    private long departedEpoch = -1;
    private Membership departedMembers = Membership.EMPTY;
    private boolean departedByFailure;
    /** Whether {@code join()} completed and no {@code leave()} or eviction followed (as the application sees it). */
    private volatile boolean joined;

    MemberState(SpaceLifecycle lifecycle, int rank, long timeoutNs) {
        this.lifecycle = lifecycle;
        this.rank = rank;
        this.timeoutNs = timeoutNs;
    }

    // ----------------------------------------------------------------------------- writer: the callback thread

    /** This rank's own JOINED event is applied: every member of {@code m} is imported (or in {@code errors}). */
    void selfJoined(long epoch, Membership m, List<MemFabricException> errors) {
        synchronized (monitor) {
            memberSince = epoch;
            members = m;
            joinedEpoch = epoch;
            joinedMembers = m;
            joinErrors.clear();
            joinErrors.addAll(errors);
            monitor.notifyAll();
        }
    }

    /** This rank left or was removed at {@code epoch}; its peers are removed. */
    void selfDeparted(long epoch, Membership remaining, boolean failure) {
        if (failure) {
            joined = false;
        }
        synchronized (monitor) {
            memberSince = -1;
            members = Membership.EMPTY;
            departedEpoch = epoch;
            departedMembers = remaining;
            departedByFailure = failure;
            monitor.notifyAll();
        }
    }

    /** Another rank joined, left or failed and the change is applied. */
    void membersChanged(Membership m) {
        synchronized (monitor) {
            members = m;
            monitor.notifyAll();
        }
    }

    /** The callback thread is done with the event of {@code epoch}. */
    void applied(long epoch) {
        synchronized (monitor) {
            lastEventEpoch = Math.max(lastEventEpoch, epoch);
            monitor.notifyAll();
        }
    }

    /** Wakes every waiter (close has begun: they check and stop). */
    void wakeAll() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    // ------------------------------------------------------------------------------------------------ readers

    /** @return whether join() completed and neither leave() nor an eviction followed. */
    boolean isJoined() {
        return joined;
    }

    /** Records the application's view: set by a completed join, cleared by leave. */
    void setJoined(boolean value) {
        joined = value;
    }

    /** @return whether this rank is a member as its data plane sees it (read on the callback thread too). */
    boolean isMember() {
        synchronized (monitor) {
            return memberSince >= 0;
        }
    }

    /** @return the members (sorted ranks), or an empty array when this rank is not a member. */
    int[] members() {
        synchronized (monitor) {
            return memberSince >= 0 ? members.ranks() : new int[0];
        }
    }

    /** @return the members as text, for messages. */
    String membersText() {
        synchronized (monitor) {
            return memberSince >= 0 ? members.encode() : "none: this rank is not a member";
        }
    }

    /**
     * Waits until the callback thread has applied the group's epoch {@code target} and this rank is a member.
     *
     * @param groupMember whether the group engine still counts this rank a member
     * @throws PeerLostException when this rank was removed right after it joined
     */
    Joined awaitJoined(long target, long deadlineNs, BooleanSupplier groupMember) {
        synchronized (monitor) {
            // The callback thread applies the changes in epoch order; once it has applied the epoch the group engine
            // is at, it has handled this rank's own JOINED event (and imported the members).
            while (lastEventEpoch < target || memberSince < 0) {
                lifecycle.ensureOpen();
                if (lastEventEpoch >= target && !groupMember.getAsBoolean()) {
                    throw new PeerLostException(rank, lifecycle.label() + ": join: this rank was removed from the "
                            + "group right after it joined (epoch " + departedEpoch + "); join() again");
                }
                await(deadlineNs, "join: this rank's data plane did not import the members");
            }
            return new Joined(joinedEpoch, joinedMembers, new ArrayList<>(joinErrors));
        }
    }

    /** Waits until the callback thread has applied the group's epoch {@code target} and this rank is not a member. */
    Departed awaitDeparted(long target, long deadlineNs) {
        synchronized (monitor) {
            while (lastEventEpoch < target || memberSince >= 0) {
                await(deadlineNs, "leave: this rank's data plane did not remove its peers");
            }
            return new Departed(departedEpoch, departedMembers, departedByFailure);
        }
    }

    /**
     * Waits until this rank is a member among at least {@code count} imported members.
     *
     * @throws ConfigurationException    for a count outside {@code 1..worldSize}
     * @throws MemFabricTimeoutException naming the members seen
     */
    int[] awaitMembers(int count, int worldSize, long timeoutMs) {
        if (count < 1 || count > worldSize) {
            throw new ConfigurationException("count=" + count + " (expected: 1.." + worldSize + ")");
        }
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (monitor) {
            while (memberSince < 0 || members.size() < count) {
                lifecycle.ensureOpen();
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    throw new MemFabricTimeoutException(lifecycle.label() + ": awaitMembers(" + count + "): "
                            + (memberSince < 0 ? "not a member" : members.size() + " members " + members.encode())
                            + " after " + timeoutMs + " ms");
                }
                waitOn(remainingNs);
            }
            return members.ranks();
        }
    }

    /** @return whether this rank is not a member and the callback thread has nothing left to apply for it. */
    boolean isDeparted() {
        synchronized (monitor) {
            return memberSince < 0;
        }
    }

    private void await(long deadlineNs, String what) {
        long remainingNs = deadlineNs - System.nanoTime();
        if (remainingNs <= 0) {
            throw new MemFabricTimeoutException(lifecycle.label() + ": " + what + " within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
        }
        waitOn(remainingNs);
    }

    private void waitOn(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(monitor, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MemFabricException(ErrorCode.ERROR, "interrupted while waiting", e);
        }
    }
}
