package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.ProtocolException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The members of a group at one epoch: an immutable {@code {epoch, ranks}} with the ranks sorted and distinct.
 * Epoch 0 is the empty group; every join, leave or failure makes the next epoch, and only a compare-and-set in the
 * store does (see {@link GroupEngine}).
 *
 * <p>Text form, as stored: {@code <epoch>:<ranks>}, the ranks written as comma-separated runs, e.g. {@code 7:0-3,5,8-9}
 * for ranks 0, 1, 2, 3, 5, 8, 9 at epoch 7 and {@code 0:} for the empty group. A full group of 1024 ranks is
 * {@code 12:0-1023}, so the form stays short whatever the world size.
 *
 * <p>Thread safety: immutable.
 */
public final class Membership {
    /** The empty group at epoch 0, before anyone joined. */
    public static final Membership EMPTY = new Membership(0, new int[0]);

    private final long epoch;
    private final int[] ranks;

    private Membership(long epoch, int[] sortedDistinctRanks) {
        this.epoch = epoch;
        this.ranks = sortedDistinctRanks;
    }

    /**
     * @param epoch the epoch, {@code >= 0}
     * @param ranks the members, each {@code >= 0}, in any order, no duplicates
     * @return the membership
     * @throws IllegalArgumentException naming the bad epoch or rank
     */
    public static Membership of(long epoch, int... ranks) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch=" + epoch + " (expected: >= 0)");
        }
        int[] sorted = ranks.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < 0) {
                throw new IllegalArgumentException("rank=" + sorted[i] + " (expected: >= 0)");
            }
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("rank=" + sorted[i] + " appears twice (expected: distinct ranks)");
            }
        }
        return new Membership(epoch, sorted);
    }

    /** @return the epoch: 0 for the empty initial group, one more for every change since. */
    public long epoch() {
        return epoch;
    }

    /** @return the number of members. */
    public int size() {
        return ranks.length;
    }

    /** @return whether there are no members. */
    public boolean isEmpty() {
        return ranks.length == 0;
    }

    /** @return whether {@code rank} is a member. */
    public boolean contains(int rank) {
        return Arrays.binarySearch(ranks, rank) >= 0;
    }

    /** @return the members in ascending order (a copy). */
    public int[] ranks() {
        return ranks.clone();
    }

    /**
     * @param index 0..size()-1
     * @return the member at that position in ascending order
     */
    public int rankAt(int index) {
        return ranks[index];
    }

    /**
     * @param rank a rank that is not a member
     * @return the next epoch, with {@code rank} added
     * @throws MemFabricException {@link ErrorCode#DUPLICATED_OBJECT} when {@code rank} is already a member
     */
    public Membership withJoined(int rank) {
        if (rank < 0) {
            throw new IllegalArgumentException("rank=" + rank + " (expected: >= 0)");
        }
        int at = Arrays.binarySearch(ranks, rank);
        if (at >= 0) {
            throw new MemFabricException(ErrorCode.DUPLICATED_OBJECT, "rank " + rank + " is already a member of "
                    + this);
        }
        int insert = -at - 1;
        int[] next = new int[ranks.length + 1];
        System.arraycopy(ranks, 0, next, 0, insert);
        next[insert] = rank;
        System.arraycopy(ranks, insert, next, insert + 1, ranks.length - insert);
        return new Membership(epoch + 1, next);
    }

    /**
     * @param rank a member
     * @return the next epoch, without {@code rank}
     * @throws MemFabricException {@link ErrorCode#OBJECT_NOT_EXISTS} when {@code rank} is not a member
     */
    public Membership withLeft(int rank) {
        int at = Arrays.binarySearch(ranks, rank);
        if (at < 0) {
            throw new MemFabricException(ErrorCode.OBJECT_NOT_EXISTS, "rank " + rank + " is not a member of " + this);
        }
        int[] next = new int[ranks.length - 1];
        System.arraycopy(ranks, 0, next, 0, at);
        System.arraycopy(ranks, at + 1, next, at, ranks.length - at - 1);
        return new Membership(epoch + 1, next);
    }

    /** @return the text form, e.g. {@code 7:0-3,5}. */
    public String encode() {
        StringBuilder sb = new StringBuilder(16 + ranks.length * 2).append(epoch).append(':');
        int i = 0;
        while (i < ranks.length) {
            int j = i;
            while (j + 1 < ranks.length && ranks[j + 1] == ranks[j] + 1) {
                j++;
            }
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ranks[i]);
            if (j > i) {
                sb.append('-').append(ranks[j]);
            }
            i = j + 1;
        }
        return sb.toString();
    }

    /** @return the text form as UTF-8 bytes, as stored. */
    public byte[] toBytes() {
        return encode().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses the text form.
     *
     * @param text e.g. {@code 7:0-3,5}
     * @return the membership
     * @throws ProtocolException when the text is not a membership
     */
    public static Membership decode(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new ProtocolException("not a membership: '" + text + "' (expected: <epoch>:<ranks>)");
        }
        try {
            long epoch = Long.parseLong(text, 0, colon, 10);
            String rest = text.substring(colon + 1);
            if (rest.isEmpty()) {
                return epoch == 0 ? EMPTY : of(epoch);
            }
            int[] out = new int[8];
            int n = 0;
            for (String run : rest.split(",", -1)) {
                int dash = run.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? run : run.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(run.substring(dash + 1));
                if (to < from || (long) to - from >= GroupOptions.MAX_WORLD_SIZE) {
                    throw new ProtocolException("not a membership: '" + text + "' (bad run '" + run + "')");
                }
                for (int r = from; r <= to; r++) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = r;
                }
            }
            return of(epoch, Arrays.copyOf(out, n));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("not a membership: '" + text + "' (" + e.getMessage() + ")");
        }
    }

    /**
     * @param bytes the stored form
     * @return the membership
     * @throws ProtocolException when the bytes are not a membership
     */
    public static Membership fromBytes(byte[] bytes) {
        return decode(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Membership other && other.epoch == epoch && Arrays.equals(other.ranks, ranks);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + Arrays.hashCode(ranks);
    }

    @Override
    public String toString() {
        return "Membership{" + encode() + "}";
    }
}
