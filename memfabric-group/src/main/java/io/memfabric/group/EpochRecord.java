package io.memfabric.group;

import io.memfabric.error.ProtocolException;

import java.nio.charset.StandardCharsets;

/**
 * The stored record of one epoch: the change that made it and the membership it produced. Text form
 * {@code <kind><rank> <membership>}, e.g. {@code J5 7:0-3,5} (rank 5 joined, making epoch 7), {@code F2 8:0-1,3,5}.
 *
 * <p>Thread safety: immutable.
 *
 * @param kind       what happened
 * @param rank       to whom
 * @param membership the membership of the new epoch
 */
record EpochRecord(MembershipEvent.Kind kind, int rank, Membership membership) {

    byte[] toBytes() {
        return (kind.code() + Integer.toString(rank) + " " + membership.encode()).getBytes(StandardCharsets.UTF_8);
    }

    MembershipEvent toEvent() {
        return new MembershipEvent(kind, rank, membership);
    }

    static EpochRecord fromBytes(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int blank = text.indexOf(' ');
        MembershipEvent.Kind kind = text.isEmpty() ? null : MembershipEvent.Kind.ofCode(text.charAt(0));
        if (blank < 2 || kind == null) {
            throw new ProtocolException("not an epoch record: '" + text + "' (expected: e.g. J5 7:0-3,5)");
        }
        try {
            return new EpochRecord(kind, Integer.parseInt(text, 1, blank, 10), Membership.decode(
                    text.substring(blank + 1)));
        } catch (NumberFormatException e) {
            throw new ProtocolException("not an epoch record: '" + text + "' (bad rank)");
        }
    }
}
