package io.memfabric.error;

import java.util.HashMap;
import java.util.Map;

/**
 * Stable numeric error codes. Upstream's values are kept ({@code SM_*} -1, -2000 … -2011; the config store's
 * {@code StoreErrorCode} -400 … -602) so that users can cross-reference them; codes only memfabric needs live in
 * their own band, -2100 and below, grouped by layer. Numbers are never reused or renumbered.
 *
 * <p>Thread safety: immutable.
 */
public enum ErrorCode {
    /** Upstream {@code SM_ERROR}: a failure with no more specific code. */
    ERROR(-1),
    /** Upstream {@code SM_INVALID_PARAM}: a bad argument or configuration value. */
    INVALID_PARAM(-2000),
    /** Upstream {@code SM_MALLOC_FAILED}. */
    MALLOC_FAILED(-2001),
    /** Upstream {@code SM_NEW_OBJECT_FAILED}. */
    NEW_OBJECT_FAILED(-2002),
    /** Upstream {@code SM_NOT_STARTED}. */
    NOT_STARTED(-2003),
    /** Upstream {@code SM_TIMEOUT}: a blocking call passed its deadline. */
    TIMEOUT(-2004),
    /** Upstream {@code SM_REPEAT_CALL}. */
    REPEAT_CALL(-2005),
    /** Upstream {@code SM_DUPLICATED_OBJECT}. */
    DUPLICATED_OBJECT(-2006),
    /** Upstream {@code SM_OBJECT_NOT_EXISTS}. */
    OBJECT_NOT_EXISTS(-2007),
    /** Upstream {@code SM_NOT_INITIALIZED}: used before init, or after close. */
    NOT_INITIALIZED(-2008),
    /** Upstream {@code SM_RESOURCE_IN_USE}. */
    RESOURCE_IN_USE(-2009),
    /** Upstream {@code SM_RECONNECT}. */
    RECONNECT(-2010),
    /** Upstream {@code SM_GET_OBJIECT} (sic). */
    GET_OBJECT(-2011),

    /** Store {@code INVALID_MESSAGE}: a malformed or oversized request. */
    STORE_INVALID_MESSAGE(-400),
    /** Store {@code INVALID_KEY}: an empty or oversized key. */
    STORE_INVALID_KEY(-401),
    /** Store {@code NOT_EXIST}: the key is absent (a non-blocking wait found nothing). */
    STORE_NOT_EXIST(-404),
    /** Store {@code RESTORE}: the server asked the client to re-publish its records. */
    STORE_RESTORE(-405),
    /** Store {@code TIMEOUT}: a blocking store call expired on the server. */
    STORE_TIMEOUT(-601),
    /** Store {@code IO_ERROR}: the connection to the store failed. */
    STORE_IO_ERROR(-602),

    // ---- memfabric band: store layer (-2100 … -2199)
    /** A command was sent before {@code AUTH} on a server that requires it. */
    STORE_AUTH_REQUIRED(-2101),
    /** {@code AUTH} with a wrong secret. */
    STORE_AUTH_FAILED(-2102),
    /** A configured limit (key, value, arguments, clients) was exceeded. */
    STORE_LIMIT_EXCEEDED(-2103),
    /** Rank assignment: every rank below the world size is held by a live client. */
    STORE_WORLD_SIZE_EXCEEDED(-2104),
    /** Rank assignment: the requested rank is held by another live client, or is not below the world size. */
    STORE_RANK_UNAVAILABLE(-2105),
    /** The store server is stopping; blocked calls are released with this code. */
    STORE_SHUTDOWN(-2106),
    /** An operation met a value of the wrong kind (e.g. {@code INCRBY} on a non-integer). */
    STORE_WRONG_TYPE(-2107),
    /** An unknown command, or a known one with the wrong number of arguments. */
    STORE_BAD_COMMAND(-2108),
    /** The client is closed. */
    STORE_CLIENT_CLOSED(-2109),

    // ---- memfabric band: group layer (-2200 … -2299)
    /** A group operation was interrupted by a membership change (a member left or failed mid-round). */
    GROUP_MEMBERSHIP_CHANGED(-2201),

    // ---- memfabric band: transport layer (-2300 … -2399)
    /** A peer is gone (left, evicted or unreachable). */
    PEER_UNAVAILABLE(-2301),
    /** An address or length outside a slot or registered region. */
    ADDRESS_OUT_OF_RANGE(-2302),
    /** A malformed wire frame (RESP or data plane). */
    PROTOCOL_ERROR(-2303),

    // Insert new codes above here.
    /** A code from a newer peer that this version does not know. */
    UNKNOWN(Integer.MIN_VALUE);

    private static final Map<Integer, ErrorCode> BY_VALUE = new HashMap<>();

    static {
        for (ErrorCode code : values()) {
            if (BY_VALUE.put(code.value, code) != null) {
                throw new IllegalStateException("duplicate ErrorCode value: " + code.value);
            }
        }
    }

    private final int value;

    ErrorCode(int value) {
        this.value = value;
    }

    /** @return the stable numeric value of this code. */
    public int value() {
        return value;
    }

    /**
     * @param value a numeric code, e.g. received from a peer
     * @return the code with that value, or {@link #UNKNOWN}
     */
    public static ErrorCode of(int value) {
        return BY_VALUE.getOrDefault(value, UNKNOWN);
    }

    /**
     * @param name a code name, e.g. the first word of a store error reply
     * @return the code with that name, or {@code null} when there is none
     */
    public static ErrorCode byName(String name) {
        for (ErrorCode code : values()) {
            if (code.name().equals(name)) {
                return code;
            }
        }
        return null;
    }
}
