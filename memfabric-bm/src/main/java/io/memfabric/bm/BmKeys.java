package io.memfabric.bm;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

import java.nio.charset.StandardCharsets;

/**
 * The keys BigMemory keeps in the config store. One place for the layout, so that {@code redis-cli KEYS 'bm/*'} reads
 * against this list. {@code F} is the fabric id, {@code ID} the BigMemory object's id, {@code R} a rank and
 * {@code E} a membership epoch:
 * <pre>
 * bm/F/                     rank namespace of the fabric (MF.RANK): BigMemory.init takes its rank here
 * bm/F/ID/peer/R            rank R's {@link PeerRecord}: strides and data-plane descriptor; written by create
 *                           (before R can join), deleted by close
 * bm/F/ID/ack/E/R           "ok" or "error CODE REASON": rank R has applied the join or leave of epoch E to its data
 *                           plane (imported the joiner / removed the leaver); the joiner or leaver waits for one
 *                           from every member, then deletes them
 * bm/F/ID/group/...         the object's group ({@link io.memfabric.group.GroupEngine}: epochs, barriers); also
 *                           its rank namespace, which carries the ranks' liveness
 * </pre>
 *
 * <p>Thread safety: stateless.
 */
final class BmKeys {
    /** Ack value of a rank that applied the change. */
    static final String ACK_OK = "ok";
    /** Prefix of the ack value of a rank that could not apply the change. */
    static final String ACK_ERROR = "error ";

    private BmKeys() {
    }

    /** @return the fabric's prefix (and rank namespace), {@code bm/<f>/}. */
    static String fabric(String fabricId) {
        return "bm/" + fabricId + "/";
    }

    /** @return the object's prefix relative to the fabric's, {@code <id>/}. */
    static String object(int id) {
        return id + "/";
    }

    /** @return the group namespace of object {@code id}, absolute. */
    static String group(String fabricId, int id) {
        return fabric(fabricId) + object(id) + "group/";
    }

    /** @return the key of a rank's peer record, relative to the object's prefix. */
    static String peer(int rank) {
        return "peer/" + rank;
    }

    /** @return the value of an ack: {@code ok}, or {@code error <CODE> <message>}. */
    static byte[] ackValue(MemFabricException error) {
        String text = error == null ? ACK_OK : ACK_ERROR + error.code().name() + " " + error.getMessage();
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** @return null for an {@code ok} ack, or the error it carries. */
    static MemFabricException parseAck(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        if (!text.startsWith(ACK_ERROR)) {
            return null;
        }
        String rest = text.substring(ACK_ERROR.length());
        int blank = rest.indexOf(' ');
        ErrorCode code = blank < 0 ? null : ErrorCode.byName(rest.substring(0, blank));
        return code == null ? new MemFabricException(ErrorCode.ERROR, rest)
                : new MemFabricException(code, rest.substring(blank + 1));
    }

    /** @return the key of a rank's acknowledgement of the change of {@code epoch}, relative to the object's prefix. */
    static String ack(long epoch, int rank) {
        return "ack/" + epoch + "/" + rank;
    }
}
