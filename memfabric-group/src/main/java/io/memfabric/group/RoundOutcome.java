package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;

import java.nio.charset.StandardCharsets;

/**
 * How a round ended, the same for every participant: completed, or aborted. In the store it is the value of the
 * round's release key: {@code ok}, or {@code abort <epoch> <code name> <reason>}.
 *
 * <p>Thread safety: immutable.
 *
 * @param abortEpoch the epoch a participant must have applied before it retries (0: none)
 * @param code       the code of the participants' exceptions; {@code null} when the round completed
 * @param reason     why the round was aborted, for the participants' exception messages
 */
record RoundOutcome(long abortEpoch, ErrorCode code, String reason) {
    /** The outcome of a round that completed. */
    static final RoundOutcome COMPLETED = new RoundOutcome(0, null, null);

    private static final String OK = "ok";
    private static final String ABORT = "abort ";

    static RoundOutcome aborted(long abortEpoch, ErrorCode code, String reason) {
        return new RoundOutcome(abortEpoch, code, reason);
    }

    boolean isCompleted() {
        return code == null;
    }

    /** @return the release value: {@code ok}, or {@code abort <epoch> <code name> <reason>}. */
    byte[] toRelease() {
        if (isCompleted()) {
            return OK.getBytes(StandardCharsets.US_ASCII);
        }
        return (ABORT + abortEpoch + " " + code.name() + " " + reason).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param release a release value as written by {@link #toRelease()}
     * @return its outcome; an abort whose epoch or code cannot be read names epoch 0 and {@link ErrorCode#ERROR}, and
     *         one with no reason gives the whole value as the reason
     */
    static RoundOutcome ofRelease(byte[] release) {
        if (release.length == 2 && release[0] == 'o' && release[1] == 'k') {
            return COMPLETED;
        }
        String text = new String(release, StandardCharsets.UTF_8);
        String[] words = text.split(" ", 4);
        ErrorCode code = words.length > 2 ? ErrorCode.byName(words[2]) : null;
        return new RoundOutcome(epochOf(text), code == null ? ErrorCode.ERROR : code,
                words.length == 4 ? words[3] : text);
    }

    private static long epochOf(String release) {
        int from = ABORT.length();
        int to = release.indexOf(' ', from);
        try {
            return Long.parseLong(release, from, to < 0 ? release.length() : to, 10);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /**
     * @param label the round, for the message
     * @return the exception every participant of an aborted round throws: a {@link MemFabricTimeoutException} when
     *         a participant timed out, otherwise a {@link MemFabricException} with the abort's code
     */
    MemFabricException toException(String label) {
        String message = label + " aborted: " + reason;
        if (code == ErrorCode.TIMEOUT) {
            return new MemFabricTimeoutException(ErrorCode.TIMEOUT, message);
        }
        return new MemFabricException(code, message);
    }
}
