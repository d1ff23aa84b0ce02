package io.memfabric.group;

import java.util.Objects;

/**
 * One change of a group's membership, as every member sees it: the same changes, in epoch order.
 *
 * <p>Thread safety: immutable.
 *
 * @param kind       what happened
 * @param rank       the rank that joined, left or failed
 * @param membership the membership the change produced ({@code membership.epoch()} is the change's epoch)
 */
public record MembershipEvent(Kind kind, int rank, Membership membership) {
    /** What happened to {@link #rank}. */
    public enum Kind {
        /** The rank joined the group. */
        JOINED('J'),
        /** The rank left the group on its own ({@link GroupEngine#leave()}). */
        LEFT('L'),
        /**
         * The rank was removed because the store saw it go down (disconnect or missed heartbeats), or because a new
         * process took its rank while it was still listed.
         */
        FAILED('F');

        private final char code;

        Kind(char code) {
            this.code = code;
        }

        /** @return the one-letter code in the stored epoch record. */
        char code() {
            return code;
        }

        static Kind ofCode(char code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            return null;
        }
    }

    /** Validates the components. */
    public MembershipEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(membership, "membership");
    }

    /** @return the epoch this change produced. */
    public long epoch() {
        return membership.epoch();
    }

    @Override
    public String toString() {
        return kind + " rank=" + rank + " epoch=" + membership.epoch() + " members=" + membership.encode();
    }
}
