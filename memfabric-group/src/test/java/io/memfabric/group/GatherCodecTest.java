package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.ProtocolException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class GatherCodecTest {
    private static final Round SUB_OF_THREE = Round.sub("k", 0, 3, true, "allGather round s.k_0");

    private static byte[] concat(byte[]... elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : elements) {
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    @Test
    void shouldDecodeElementsInArrivalOrderIntoRankOrder() {
        byte[] value = concat(GatherCodec.encode(7, new byte[] {7, 7}), GatherCodec.encode(2, new byte[0]),
                GatherCodec.encode(4, new byte[] {4}));
        List<byte[]> payloads = GatherCodec.decode(SUB_OF_THREE, value);
        assertArrayEquals(new byte[0], payloads.get(0));
        assertArrayEquals(new byte[] {4}, payloads.get(1));
        assertArrayEquals(new byte[] {7, 7}, payloads.get(2));
    }

    @Test
    void shouldRejectARankTwiceAndAWrongCount() {
        byte[] twice = concat(GatherCodec.encode(1, new byte[] {1}), GatherCodec.encode(1, new byte[] {2}),
                GatherCodec.encode(3, new byte[] {3}));
        assertTrue(assertThrows(ProtocolException.class, () -> GatherCodec.decode(SUB_OF_THREE, twice)).getMessage()
                .contains("rank 1 contributed twice"));
        byte[] two = concat(GatherCodec.encode(1, new byte[] {1}), GatherCodec.encode(3, new byte[] {3}));
        assertTrue(assertThrows(ProtocolException.class, () -> GatherCodec.decode(SUB_OF_THREE, two)).getMessage()
                .contains("gathered 2 elements (expected: 3)"));
    }

    @Test
    void shouldRejectALengthPastTheEndAndRanksOtherThanTheMembers() {
        byte[] cut = GatherCodec.encode(0, new byte[] {1, 2, 3});
        byte[] shorter = java.util.Arrays.copyOf(cut, cut.length - 1);
        Round alone = Round.sub("k", 0, 1, true, "allGather round s.k_0");
        assertTrue(assertThrows(ProtocolException.class, () -> GatherCodec.decode(alone, shorter)).getMessage()
                .contains("length=3"));
        Round world = Round.world(Membership.of(5, 0, 2), 0, true, "allGather round w5_0");
        byte[] strangers = concat(GatherCodec.encode(0, new byte[0]), GatherCodec.encode(1, new byte[0]));
        assertTrue(assertThrows(ProtocolException.class, () -> GatherCodec.decode(world, strangers)).getMessage()
                .contains("expected: the members"));
    }

    @Test
    void shouldRejectAPayloadPastTheStoreValueLimit() {
        GatherCodec.checkPayload("g", null);
        GatherCodec.checkPayload("g", new byte[16]);
        byte[] tooLong = new byte[(int) GatherCodec.MAX_PAYLOAD_BYTES + 1];
        assertEquals(ErrorCode.INVALID_PARAM,
                assertThrows(MemFabricException.class, () -> GatherCodec.checkPayload("g", tooLong)).code());
    }

    /** The value is read from the store, where anyone may write: payloads or a ProtocolException, nothing else. */
    @Property(tries = 2000)
    void decodingAnyBytesShouldYieldPayloadsOrAProtocolError(@ForAll byte[] bytes) {
        try {
            assertEquals(SUB_OF_THREE.size, GatherCodec.decode(SUB_OF_THREE, bytes).size());
        } catch (ProtocolException e) {
            // expected for almost all inputs
        }
    }
}
