package io.memfabric.bm;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

/**
 * The direction of a BigMemory copy, with upstream's codes ({@code smem_bm_copy_type}, upstream-api §2.1) and
 * semantics (§2.5). "Local" sides are {@link java.lang.foreign.MemorySegment}s of this process (upstream's L = local
 * device and H = local host memory are both plain segments here); "global" sides are global virtual addresses (GVAs,
 * {@code long}) of the pool, in the HOST or DEVICE window of any rank, this one included.
 *
 * <table>
 *   <caption>Copy types</caption>
 *   <tr><th>type</th><th>code</th><th>source</th><th>destination</th></tr>
 *   <tr><td>{@link #L2G}</td><td>0</td><td>local segment</td><td>global, either window</td></tr>
 *   <tr><td>{@link #G2L}</td><td>1</td><td>global, either window</td><td>local segment</td></tr>
 *   <tr><td>{@link #G2H}</td><td>2</td><td>global, either window</td><td>local segment</td></tr>
 *   <tr><td>{@link #H2G}</td><td>3</td><td>local segment</td><td>global, either window</td></tr>
 *   <tr><td>{@link #L2GH}</td><td>4</td><td>local segment</td><td>global, HOST window only</td></tr>
 *   <tr><td>{@link #GH2L}</td><td>5</td><td>global, HOST window only</td><td>local segment</td></tr>
 *   <tr><td>{@link #GH2H}</td><td>6</td><td>global, HOST window only</td><td>local segment</td></tr>
 *   <tr><td>{@link #H2GH}</td><td>7</td><td>local segment</td><td>global, HOST window only</td></tr>
 *   <tr><td>{@link #G2G}</td><td>8</td><td>global</td><td>global</td></tr>
 *   <tr><td>{@link #AUTO}</td><td>9</td><td colspan="2">inferred from the overload: at least one global side</td></tr>
 * </table>
 * Upstream resolves {@code L2GH} and {@code GH2L} to an invalid direction when given a real local pointer
 * (upstream-api §12); here they are what their names say, the local-device twins of {@code H2GH} and {@code GH2H}.
 *
 * <p>Thread safety: immutable.
 */
public enum CopyType {
    /** Local (device) segment to a global address in either window. */
    L2G(0, Side.LOCAL, Side.GLOBAL),
    /** Global address in either window to a local (device) segment. */
    G2L(1, Side.GLOBAL, Side.LOCAL),
    /** Global address in either window to a local host segment. */
    G2H(2, Side.GLOBAL, Side.LOCAL),
    /** Local host segment to a global address in either window. */
    H2G(3, Side.LOCAL, Side.GLOBAL),
    /** Local (device) segment to a global address in the HOST window. */
    L2GH(4, Side.LOCAL, Side.GLOBAL_HOST),
    /** Global address in the HOST window to a local (device) segment. */
    GH2L(5, Side.GLOBAL_HOST, Side.LOCAL),
    /** Global address in the HOST window to a local host segment. */
    GH2H(6, Side.GLOBAL_HOST, Side.LOCAL),
    /** Local host segment to a global address in the HOST window. */
    H2GH(7, Side.LOCAL, Side.GLOBAL_HOST),
    /** Global address to global address (any ranks, either window). */
    G2G(8, Side.GLOBAL, Side.GLOBAL),
    /** Inferred: a segment is local, a {@code long} is global; at least one side must be global. */
    AUTO(9, Side.ANY, Side.ANY);

    /** What one side of a copy type accepts. */
    enum Side {
        /** A local segment. */
        LOCAL,
        /** A GVA in either window. */
        GLOBAL,
        /** A GVA in the HOST window. */
        GLOBAL_HOST,
        /** Whatever the overload gives ({@link #AUTO}). */
        ANY
    }

    private static final CopyType[] BY_CODE = values();

    private final int code;
    private final Side source;
    private final Side destination;

    CopyType(int code, Side source, Side destination) {
        this.code = code;
        this.source = source;
        this.destination = destination;
    }

    /** @return upstream's numeric value ({@code SMEMB_COPY_L2G} = 0 ... {@code SMEMB_COPY_AUTO} = 9). */
    public int code() {
        return code;
    }

    /**
     * @param code upstream's numeric value, 0..9
     * @return the copy type
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for any other value
     */
    public static CopyType ofCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "copy type code=" + code + " (expected: 0.."
                    + (BY_CODE.length - 1) + ", L2G..AUTO)");
        }
        return BY_CODE[code];
    }

    /** @return whether the source is a local segment ({@code L2G, H2G, L2GH, H2GH}). */
    public boolean isLocalSource() {
        return source == Side.LOCAL;
    }

    /** @return whether the destination is a local segment ({@code G2L, G2H, GH2L, GH2H}). */
    public boolean isLocalDestination() {
        return destination == Side.LOCAL;
    }

    /** @return whether the global side must lie in the HOST window ({@code L2GH, GH2L, GH2H, H2GH}). */
    public boolean requiresHostWindow() {
        return source == Side.GLOBAL_HOST || destination == Side.GLOBAL_HOST;
    }

    Side source() {
        return source;
    }

    Side destination() {
        return destination;
    }
}
