package io.memfabric.trans;

import io.memfabric.error.ConfigurationException;

import java.util.Locale;

/**
 * What a {@link TransferEngine} is in a KV-cache transfer (upstream {@code smem_trans_role_t}): a SENDER (prefill)
 * moves data to and from RECEIVERs (decode), and the other way round. {@link #BOTH} goes beyond upstream, which accepts
 * only the first two: an engine that is both sees everyone, and everyone sees it.
 *
 * <p>Thread safety: immutable.
 */
public enum Role {
    /** Prefill: sees RECEIVERs (and BOTHs). Upstream {@code SMEM_TRANS_SENDER}. */
    SENDER,
    /** Decode: sees SENDERs (and BOTHs). Upstream {@code SMEM_TRANS_RECEIVER}. */
    RECEIVER,
    /** Sees every engine and is seen by every engine. Upstream {@code SMEM_TRANS_BOTH}, which it refuses at create. */
    BOTH;

    /**
     * @param other a peer's role
     * @return whether an engine of this role may transfer with a peer of {@code other}'s role: a SENDER sees
     *         RECEIVERs, a RECEIVER sees SENDERs, BOTH sees and is seen by everyone
     */
    public boolean sees(Role other) {
        return this == BOTH || other == BOTH || this != other;
    }

    /**
     * @param text {@code sender}, {@code receiver} or {@code both} (any case); also upstream Python's
     *             {@code Prefill} (SENDER) and {@code Decode} (RECEIVER)
     * @return the role
     * @throws ConfigurationException naming the text otherwise
     */
    public static Role parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "sender", "prefill" -> SENDER;
            case "receiver", "decode" -> RECEIVER;
            case "both" -> BOTH;
            default -> throw new ConfigurationException("role=" + text + " (expected: SENDER, RECEIVER or BOTH; "
                    + "Prefill or Decode)");
        };
    }
}
