package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.ProtocolException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The value of an allgather round: each participant appends one element, so the elements stand in arrival order.
 * <pre>
 * element: rank u32 | length u32 | data[length]      (big-endian)
 * </pre>
 * {@link #decode} checks every length against what is left, the count against the round's size, and returns the
 * payloads ordered by rank.
 *
 * <p>Thread safety: stateless.
 */
final class GatherCodec {
    /** Header of one element: rank u32, length u32. */
    static final int HEADER_BYTES = 2 * Integer.BYTES;
    /** DESIGN §3 store value limit (redis-server allows 512 MiB); one element must fit on its own. */
    static final long MAX_VALUE_BYTES = 64L << 20;
    /** The longest payload of one participant. */
    static final long MAX_PAYLOAD_BYTES = MAX_VALUE_BYTES - HEADER_BYTES;

    private GatherCodec() {
    }

    /**
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} when {@code data} is longer than
     *                            {@link #MAX_PAYLOAD_BYTES}
     */
    static void checkPayload(String group, byte[] data) {
        if (data != null && data.length > MAX_PAYLOAD_BYTES) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "allGather of group " + group + ": payload length="
                    + data.length + " (expected: <= " + MAX_PAYLOAD_BYTES + ", the store value limit)");
        }
    }

    /** @return the element of {@code rank} carrying {@code data} */
    static byte[] encode(int rank, byte[] data) {
        ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + data.length);
        frame.putInt(rank).putInt(data.length).put(data);
        return frame.array();
    }

    /**
     * @param round    the round, for its size, its members (a world round) and its label
     * @param gathered the round's value: {@code round.size} elements
     * @return the payloads ordered by the participants' ranks
     * @throws ProtocolException when the value is malformed, holds another number of elements, a rank twice, or
     *                           (a world round) ranks other than the members
     */
    static List<byte[]> decode(Round round, byte[] gathered) {
        ByteBuffer in = ByteBuffer.wrap(gathered);
        int[] ranks = new int[round.size];
        byte[][] payloads = new byte[round.size][];
        int n = 0;
        while (in.remaining() > 0) {
            if (in.remaining() < HEADER_BYTES || n == round.size) {
                throw new ProtocolException(round.label + ": malformed gathered value (" + gathered.length
                        + " bytes, " + n + " elements read, " + in.remaining() + " bytes left)");
            }
            int from = in.getInt();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new ProtocolException(round.label + ": element of rank " + from + " length=" + length
                        + " (expected: <= " + in.remaining() + ")");
            }
            ranks[n] = from;
            payloads[n] = new byte[length];
            in.get(payloads[n]);
            n++;
        }
        if (n != round.size) {
            throw new ProtocolException(round.label + ": gathered " + n + " elements (expected: " + round.size + ")");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(ranks[a], ranks[b]));
        List<byte[]> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int r = ranks[order[i]];
            if (i > 0 && r == ranks[order[i - 1]]) {
                throw new ProtocolException(round.label + ": rank " + r + " contributed twice");
            }
            if (round.members != null && round.members.rankAt(i) != r) {
                throw new ProtocolException(round.label + ": gathered from rank " + r + " (expected: the members "
                        + round.members.encode() + ")");
            }
            result.add(payloads[order[i]]);
        }
        return result;
    }
}
