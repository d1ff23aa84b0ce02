package io.memfabric.transport;

/**
 * Which way the bytes of one transfer move, seen from the rank that starts it: the one spelling of a copy direction
 * below the product APIs (BM's {@code CopyType}, TRANS's write/read and SHM's put/get all map onto it; the tcp wire
 * protocol maps it onto its request types).
 *
 * <p>Thread safety: immutable.
 */
public enum Direction {
    /** Local memory to a target's memory (a put; upstream L2G, H2G). */
    WRITE,
    /** A target's memory to local memory (a get; upstream G2L, G2H). */
    READ,
    /**
     * One target's memory to another's (upstream G2G): the bytes move once, from wherever they are to wherever they
     * go; when neither end is local or mapped, the source's listener pushes them to the destination itself.
     */
    COPY
}
