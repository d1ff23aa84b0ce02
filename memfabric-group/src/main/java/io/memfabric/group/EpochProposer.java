package io.memfabric.group;

import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.store.client.StoreClient;

import java.util.function.Function;

/**
 * Makes the next epoch: reads the newest record, derives the next membership, and creates its record {@code e<k+1>}
 * with {@code MF.CAS} (empty expected value = create if absent). On conflict someone else made that epoch: read again.
 * Creating the record is the transition, so changes are serialised, epochs have no gaps and no update is lost. The
 * winner then moves the hint {@code m} forward and deletes the record that fell out of the retention.
 *
 * <p>Thread safety: safe from any thread; the store orders concurrent proposers.
 */
final class EpochProposer {
    private static final byte[] EMPTY = new byte[0];
    /** Attempts to move the hint forward before leaving it to a later proposer (it is only a shortcut). */
    private static final int HINT_ATTEMPTS = 16;

    private final EngineContext context;
    private final StoreClient view;
    private final MembershipState membership;

    EpochProposer(EngineContext context, MembershipState membership) {
        this.context = context;
        this.view = context.view();
        this.membership = membership;
    }

    /**
     * The compare-and-set loop, starting from the applied membership.
     *
     * @param derive the next record from the newest membership, or {@code null} when there is nothing to do
     * @param what   the change, for the timeout message
     * @return the record created, or {@code null}
     * @throws MemFabricTimeoutException when no attempt won within the operation timeout
     */
    EpochRecord propose(Function<Membership, EpochRecord> derive, String what) {
        long deadlineNs = context.deadlineNs();
        Membership tip = membership.current();
        while (true) {
            tip = readTip(tip);
            EpochRecord record = derive.apply(tip);
            if (record == null) {
                return null;
            }
            long epoch = record.membership().epoch();
            StoreClient.CasResult result = view.compareAndSet(GroupKeys.epoch(epoch), EMPTY, record.toBytes());
            if (result.swapped()) {
                advanceHint(record.membership());
                if (epoch > GroupKeys.EPOCH_RETENTION) {
                    long old = epoch - GroupKeys.EPOCH_RETENTION;
                    view.delete(GroupKeys.epoch(old), GroupKeys.ack(old) + GroupKeys.BARRIER_COUNTER,
                            GroupKeys.ack(old) + GroupKeys.BARRIER_RELEASE);
                }
                return record;
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw new MemFabricTimeoutException(what + " of rank " + context.rank() + " in group "
                        + context.name() + ": no epoch change won after " + context.timeoutMs() + " ms (last " + tip
                        + ")");
            }
        }
    }

    /** @return the newest membership: from the hint or {@code from}, whichever is newer, along the epoch records. */
    Membership readTip(Membership from) {
        Membership tip = from;
        byte[] hint = view.get(GroupKeys.MEMBERSHIP);
        if (hint != null) {
            Membership hinted = Membership.fromBytes(hint);
            if (hinted.epoch() > tip.epoch()) {
                tip = hinted;
            }
        }
        while (true) {
            byte[] next = view.get(GroupKeys.epoch(tip.epoch() + 1));
            if (next == null) {
                return tip;
            }
            tip = EpochRecord.fromBytes(next).membership();
        }
    }

    /** Moves the hint forward to {@code m} unless it is already there or beyond. */
    private void advanceHint(Membership m) {
        byte[] wanted = m.toBytes();
        for (int attempt = 0; attempt < HINT_ATTEMPTS; attempt++) {
            byte[] current = view.get(GroupKeys.MEMBERSHIP);
            if (current != null && Membership.fromBytes(current).epoch() >= m.epoch()) {
                return;
            }
            if (view.compareAndSet(GroupKeys.MEMBERSHIP, current == null ? EMPTY : current, wanted).swapped()) {
                return;
            }
        }
    }
}
