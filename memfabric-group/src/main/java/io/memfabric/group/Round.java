package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.store.client.StoreClient;

import java.nio.charset.StandardCharsets;

/**
 * One collective round in the store: an arrival counter and a release key (DESIGN §4, upstream §7.5). Each member adds
 * 1 to the counter; the one that reaches {@link #size} sets the release to {@code ok}; all wait for the release.
 *
 * <p><b>Aborting.</b> A round that can no longer complete (a member left or failed, or a member timed out) is
 * <em>poisoned</em>: {@code INCRBY counter POISON}. The counter is the one place where arrivals and poisons are
 * ordered, so the outcome is the same for everyone: the first poison (its reply is below {@code 2 * POISON}) sees how
 * many arrived before it; if all had, the round completed and it writes {@code ok}, otherwise it writes
 * {@code abort <epoch> <code> <reason>}. An arrival that finds the counter poisoned does not count, and waits for that
 * release like everyone else. So every participant returns, or every participant fails with the same reason.
 *
 * <p>Thread safety: immutable; the store does the synchronisation.
 */
final class Round {
    /** Added to a counter to poison it; far above any arrival count (at most the world size). */
    static final long POISON = 1L << 40;
    /** The release value of a completed round. */
    static final String OK = "ok";
    /** The release value of an aborted round starts with this, then the epoch to wait for, then the reason. */
    static final String ABORT = "abort ";

    /** What a round belongs to. */
    enum Type {
        /** A barrier or allgather among the members of one epoch. */
        WORLD,
        /** A barrier or allgather of a sub-group named by a key. */
        SUB,
        /** The acknowledgement of an epoch by its members (waited for by join and leave). */
        ACK
    }

    /** The outcome of a poison. */
    record Decision(boolean first, boolean completed, long arrived) {
    }

    final Type type;
    final String family;
    final String stem;
    final long epoch;
    final long seq;
    final int size;
    final boolean gather;
    final String label;

    /**
     * @param family the keys' common start: {@code w<epoch>}, {@code s.<key>} or {@code j<epoch>} (acknowledgements
     *               have one round per epoch, so no number follows)
     */
    Round(Type type, String family, long epoch, long seq, int size, boolean gather, String label) {
        this.type = type;
        this.family = family;
        this.stem = stemOf(seq);
        this.epoch = epoch;
        this.seq = seq;
        this.size = size;
        this.gather = gather;
        this.label = label;
    }

    /** @return the stem of round {@code seq} of this round's family, e.g. {@code w7_12}. */
    String stemOf(long seq) {
        return type == Type.ACK ? family : family + "_" + seq;
    }

    String counterKey() {
        return stem + (gather ? GroupKeys.GATHER_COUNTER : GroupKeys.BARRIER_COUNTER);
    }

    String releaseKey() {
        return stem + (gather ? GroupKeys.GATHER_RELEASE : GroupKeys.BARRIER_RELEASE);
    }

    String dataKey() {
        return stem + GroupKeys.GATHER_DATA;
    }

    /**
     * Poisons the round; when this is the first poison, decides and writes the release.
     *
     * @param store       the group's view
     * @param abortEpoch  the epoch a participant must have applied before it retries (0: none)
     * @param code        the code of the participants' exceptions
     * @param reason      why, for the participants' exception messages
     */
    Decision poison(StoreClient store, long abortEpoch, ErrorCode code, String reason) {
        long value = store.add(counterKey(), POISON);
        if (value >= 2 * POISON) {
            return new Decision(false, false, value % POISON);
        }
        long arrived = value - POISON;
        boolean completed = arrived >= size;
        store.set(releaseKey(), completed ? ok() : abort(abortEpoch, code, reason));
        return new Decision(true, completed, arrived);
    }

    static byte[] ok() {
        return OK.getBytes(StandardCharsets.US_ASCII);
    }

    /** @return {@code abort <epoch> <code name> <reason>}. */
    static byte[] abort(long epoch, ErrorCode code, String reason) {
        return (ABORT + epoch + " " + code.name() + " " + reason).getBytes(StandardCharsets.UTF_8);
    }

    static boolean isOk(byte[] release) {
        return release.length == 2 && release[0] == 'o' && release[1] == 'k';
    }

    /** @return the epoch named by an abort release (0 when it names none). */
    static long abortEpoch(String release) {
        int from = ABORT.length();
        int to = release.indexOf(' ', from);
        try {
            return Long.parseLong(release, from, to < 0 ? release.length() : to, 10);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** @return the error code named by an abort release ({@link ErrorCode#ERROR} when it names none). */
    static ErrorCode abortCode(String release) {
        String[] words = release.split(" ", 4);
        ErrorCode code = words.length > 2 ? ErrorCode.byName(words[2]) : null;
        return code == null ? ErrorCode.ERROR : code;
    }

    /** @return the reason text of an abort release. */
    static String abortReason(String release) {
        String[] words = release.split(" ", 4);
        return words.length == 4 ? words[3] : release;
    }

    @Override
    public String toString() {
        return label;
    }
}
