package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class MembershipTest {

    @Test
    void shouldSortRanksAndAnswerContains() {
        Membership m = Membership.of(3, 5, 1, 9);
        assertArrayEquals(new int[] {1, 5, 9}, m.ranks());
        assertEquals(3, m.size());
        assertTrue(m.contains(5));
        assertFalse(m.contains(2));
        assertEquals(9, m.rankAt(2));
    }

    @Test
    void shouldAdvanceEpochOnJoinAndLeave() {
        Membership m = Membership.EMPTY.withJoined(4).withJoined(2);
        assertEquals(Membership.of(2, 2, 4), m);
        Membership left = m.withLeft(4);
        assertEquals(Membership.of(3, 2), left);
        assertEquals(ErrorCode.DUPLICATED_OBJECT,
                assertThrows(MemFabricException.class, () -> m.withJoined(2)).code());
        assertEquals(ErrorCode.OBJECT_NOT_EXISTS,
                assertThrows(MemFabricException.class, () -> m.withLeft(7)).code());
    }

    @Test
    void shouldEncodeRunsCompactly() {
        assertEquals("7:0-3,5,8-9", Membership.of(7, 0, 1, 2, 3, 5, 8, 9).encode());
        assertEquals("0:", Membership.EMPTY.encode());
        assertEquals("12:0-1023", Membership.of(12, IntStream.range(0, 1024).toArray()).encode());
    }

    @Test
    void shouldRoundTripThroughText() {
        for (Membership m : new Membership[] {Membership.EMPTY, Membership.of(1, 0), Membership.of(9, 1, 3, 4, 5, 1023),
            Membership.of(5), Membership.of(77, IntStream.range(0, 1024).filter(i -> i % 3 != 0).toArray())}) {
            assertEquals(m, Membership.fromBytes(m.toBytes()));
        }
    }

    @Test
    void shouldRejectMalformedText() {
        for (String bad : new String[] {"", "7", ":1", "x:1", "7:1,,2", "7:3-1", "7:1,1", "7:-1", "7:0-99999999"}) {
            assertThrows(ProtocolException.class, () -> Membership.decode(bad), bad);
        }
    }

    @Test
    void shouldRoundTripEpochRecords() {
        EpochRecord record = new EpochRecord(MembershipEvent.Kind.FAILED, 3, Membership.of(8, 0, 1, 2));
        assertEquals(record, EpochRecord.fromBytes(record.toBytes()));
        assertThrows(ProtocolException.class, () -> EpochRecord.fromBytes("X3 1:0".getBytes()));
    }
}
