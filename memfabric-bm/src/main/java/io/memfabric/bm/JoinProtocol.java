package io.memfabric.bm;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.group.GroupEngine;
import io.memfabric.group.Membership;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * Join, leave and barrier of one BigMemory object on one rank: serialised with each other, one membership epoch per
 * change ({@link GroupEngine}). The protocol, per change of epoch {@code e}:
 * <ol>
 *   <li>at create, every rank publishes its {@link PeerRecord} (strides and data-plane descriptor) under
 *       {@code peer/<rank>}: before it can join, so a member that sees it join can always read it;</li>
 *   <li>the joiner makes epoch {@code e} (its group join);</li>
 *   <li>every member of {@code e}, on its membership callback thread ({@link PeerImporter}), reads the joiner's
 *       record, adds it to its copy engine, and writes {@code ack/<e>/<rank>} ("ok", or "error &lt;why&gt;" e.g. for
 *       different strides); the joiner, on its own callback thread, adds every member of {@code e};</li>
 *   <li>the joiner's {@code join()} returns once it has every member's ack (a member that leaves or fails meanwhile
 *       is not waited for), and deletes them.</li>
 * </ol>
 * So when {@code join()} returns, every member can copy to the joiner and the joiner to every member. Leave is the
 * mirror image: the members remove the leaver and ack; the leaver removes all its peers; {@code leave()} returns when
 * every remaining member has acked, after which a copy to the leaver fails with {@code PEER_UNAVAILABLE} everywhere.
 *
 * <p>Thread safety: {@link #join()}, {@link #leave()} and {@link #leaveOnClose()} are serialised by a lock;
 * {@link #barrier()} from any thread.
 */
final class JoinProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(JoinProtocol.class);
    /** How long one wait for an ack lasts before the waiter checks whether the acker is still a member. */
    private static final Duration ACK_SLICE = Duration.ofMillis(500);

    private final SpaceLifecycle lifecycle;
    private final String label;
    private final int rank;
    private final GroupEngine group;
    private final StoreClient keys;
    private final MemberState state;
    private final long timeoutNs;
    private final ReentrantLock lock = new ReentrantLock();

    JoinProtocol(SpaceLifecycle lifecycle, int rank, GroupEngine group, StoreClient keys, MemberState state,
                 long timeoutNs) {
        this.lifecycle = lifecycle;
        this.label = lifecycle.label();
        this.rank = rank;
        this.group = group;
        this.keys = keys;
        this.state = state;
        this.timeoutNs = timeoutNs;
    }

    /** See {@link BigMemorySpace#join()}. */
    void join() {
        lock.lock();
        try {
            lifecycle.ensureOpen();
            if (state.isJoined()) {
                return;
            }
            long deadlineNs = System.nanoTime() + timeoutNs;
            if (!group.isMember()) {
                group.join();
            }
            MemberState.Joined joined = state.awaitJoined(group.membership().epoch(), deadlineNs, group::isMember);
            List<MemFabricException> errors = joined.errors();
            errors.addAll(awaitAcks(joined.epoch(), joined.members(), deadlineNs, "join"));
            if (!errors.isEmpty()) {
                String reason = errors.stream().map(Throwable::getMessage).collect(Collectors.joining("; "));
                LOG.warn("{}: join at epoch {} failed, leaving again: {}", label, joined.epoch(), reason);
                try {
                    leaveLocked();
                } catch (RuntimeException e) {
                    LOG.warn("{}: leave after a failed join failed: {}", label, e.toString());
                }
                throw new MemFabricException(errors.get(0).code(), label + ": join: " + reason);
            }
            state.setJoined(true);
            LOG.info("{}: joined at epoch {} (members {})", label, joined.epoch(), joined.members().encode());
        } finally {
            lock.unlock();
        }
    }

    /** See {@link BigMemorySpace#leave()}. */
    void leave() {
        lock.lock();
        try {
            lifecycle.ensureOpen();
            leaveLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Leaves if joined, for close (after close has begun: the closing thread's waits go on). Best effort. */
    void leaveOnClose() {
        state.wakeAll();
        lock.lock();
        try {
            if (state.isJoined() || group.isMember()) {
                leaveLocked();
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: leave on close failed: {}", label, e.toString());
        } finally {
            lock.unlock();
        }
    }

    private void leaveLocked() {
        long deadlineNs = System.nanoTime() + timeoutNs;
        long before = group.membership().epoch();
        state.setJoined(false);
        boolean member = group.isMember();
        if (!member && state.isDeparted()) {
            return; // Not a member, and the callback thread has nothing left to apply for this rank.
        }
        if (member) {
            try {
                group.leave();
            } catch (MemFabricException e) {
                if (e.code() != ErrorCode.NOT_INITIALIZED) {
                    throw e;
                }
                // Removed meanwhile (reported failed): nothing left to leave.
            }
        }
        MemberState.Departed departed = state.awaitDeparted(group.membership().epoch(), deadlineNs);
        if (departed.epoch() > before && !departed.failure()) {
            List<MemFabricException> errors = awaitAcks(departed.epoch(), departed.remaining(), deadlineNs, "leave");
            if (!errors.isEmpty()) {
                LOG.warn("{}: leave at epoch {}: {}", label, departed.epoch(), errors);
            }
            LOG.info("{}: left at epoch {} (members {})", label, departed.epoch(), departed.remaining().encode());
        }
    }

    /** See {@link BigMemorySpace#barrier()}. */
    void barrier() {
        if (!state.isJoined()) {
            throw new MemFabricException(ErrorCode.NOT_INITIALIZED, label + ": barrier: not joined (join() first)");
        }
        long deadlineNs = System.nanoTime() + timeoutNs;
        while (true) {
            try {
                group.barrier();
                return;
            } catch (MemFabricException e) {
                if (e.code() != ErrorCode.GROUP_MEMBERSHIP_CHANGED) {
                    throw e;
                }
                if (System.nanoTime() - deadlineNs > 0) {
                    throw new MemFabricTimeoutException(label + ": barrier: the membership kept changing for "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (" + e.getMessage() + ")");
                }
                LOG.debug("{}: barrier restarted: {}", label, e.getMessage());
            }
        }
    }

    /** @return the errors reported by acks ("error ..."), empty when all acked "ok" or are gone. */
    private List<MemFabricException> awaitAcks(long epoch, Membership targets, long deadlineNs, String what) {
        List<MemFabricException> errors = new ArrayList<>();
        List<String> ackKeys = new ArrayList<>();
        for (int member : targets.ranks()) {
            if (member == rank) {
                continue;
            }
            String key = BmKeys.ack(epoch, member);
            ackKeys.add(key);
            MemFabricException error = awaitAck(key, member, epoch, deadlineNs, what);
            if (error != null) {
                errors.add(error);
            }
        }
        if (!ackKeys.isEmpty()) {
            try {
                keys.delete(ackKeys.toArray(new String[0]));
            } catch (RuntimeException e) {
                LOG.debug("{}: deleting the acks of epoch {} failed: {}", label, epoch, e.toString());
            }
        }
        return errors;
    }

    /** @return the error one member's ack carries, or null for "ok" or a member that is gone. */
    private MemFabricException awaitAck(String key, int member, long epoch, long deadlineNs, String what) {
        while (true) {
            lifecycle.ensureOpenOrClosing();
            long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0) {
                throw new MemFabricTimeoutException(label + ": " + what + " at epoch " + epoch + ": rank " + member
                        + " did not acknowledge within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (the "
                        + what + " has taken effect)");
            }
            byte[] value;
            try {
                value = keys.waitFor(key, remainingNs < ACK_SLICE.toNanos() ? Duration.ofNanos(remainingNs)
                        : ACK_SLICE);
            } catch (MemFabricTimeoutException e) {
                if (!group.membership().contains(member)) {
                    return null; // Left or failed meanwhile: it will not acknowledge, and need not.
                }
                continue;
            }
            MemFabricException error = BmKeys.parseAck(value);
            return error == null ? null : new MemFabricException(error.code(), "rank " + member + ": "
                    + error.getMessage());
        }
    }
}
