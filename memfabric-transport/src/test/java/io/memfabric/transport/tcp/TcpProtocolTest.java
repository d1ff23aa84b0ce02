package io.memfabric.transport.tcp;

import io.memfabric.transport.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wire layouts: sizes, field offsets and byte order are part of the protocol and must not drift. */
@Timeout(30)
class TcpProtocolTest {
    @Test
    void layoutsShouldHaveTheDocumentedSizesAndOffsets() {
        assertEquals(24, HelloFlyweight.LENGTH);
        assertEquals(48, RequestFlyweight.LENGTH);
        assertEquals(24, ReplyFlyweight.LENGTH);
        assertEquals(8, RequestFlyweight.REQUEST_ID_OFFSET);
        assertEquals(16, RequestFlyweight.ADDRESS_OFFSET);
        assertEquals(24, RequestFlyweight.LENGTH_OFFSET);
        assertEquals(32, RequestFlyweight.PEER_RANK_OFFSET);
        assertEquals(40, RequestFlyweight.PEER_ADDRESS_OFFSET);
        assertEquals(4, ReplyFlyweight.STATUS_OFFSET);
        assertEquals(16, ReplyFlyweight.LENGTH_OFFSET);
    }

    @Test
    void requestShouldBeLittleEndianOnTheWire() {
        MemorySegment s = Arena.ofAuto().allocate(RequestFlyweight.LENGTH);
        new RequestFlyweight().wrap(s, 0).version(TcpProtocol.VERSION).type(TcpProtocol.TYPE_WRITE).space(2)
                .requestId(0x0102030405060708L).address(0x1122334455667788L).length(4096).peerRank(7).peerSpace(1)
                .peerAddress(99);
        ByteBuffer b = s.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(TcpProtocol.VERSION, b.getShort(0));
        assertEquals(TcpProtocol.TYPE_WRITE, b.getShort(2));
        assertEquals(2, b.getInt(4));
        assertEquals(0x08, b.get(8));
        assertEquals(0x1122334455667788L, b.getLong(16));
        assertEquals(4096, b.getLong(24));
        assertEquals(7, b.getInt(32));
        assertEquals(1, b.getInt(36));
        assertEquals(99, b.getLong(40));
        RequestFlyweight r = new RequestFlyweight().wrap(s, 0);
        assertEquals(0x0102030405060708L, r.requestId());
        assertEquals(7, r.peerRank());
    }

    @Test
    void helloAndReplyShouldRoundTrip() {
        MemorySegment s = Arena.ofAuto().allocate(64);
        HelloFlyweight h = new HelloFlyweight().wrap(s, 8).magic(TcpProtocol.MAGIC).version(TcpProtocol.VERSION)
                .flags((short) 0).rankOrStatus(5).targetRank(9).reserved(0);
        assertEquals(TcpProtocol.MAGIC, h.magic());
        assertEquals("MFDP", new String(new byte[] {s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 8),
            s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 9), s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 10),
            s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 11)}, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(5, h.rankOrStatus());
        assertEquals(9, h.targetRank());
        ReplyFlyweight r = new ReplyFlyweight().wrap(s, 0).version(TcpProtocol.VERSION)
                .type(TcpProtocol.replyType(TcpProtocol.TYPE_READ)).status(-2302).requestId(42).length(17);
        assertEquals((short) (TcpProtocol.TYPE_READ | TcpProtocol.TYPE_REPLY_FLAG), r.type());
        assertEquals(-2302, r.status());
        assertEquals(42, r.requestId());
        assertEquals(17, r.length());
    }

    @Test
    void atomicRequestShouldShareTheFirst24BytesOfEveryRequestAndFillTheRest() {
        assertEquals(RequestFlyweight.LENGTH, AtomicRequestFlyweight.LENGTH);
        assertEquals(24, RequestFlyweight.TYPE_FIELDS_OFFSET);
        assertEquals(24, AtomicRequestFlyweight.OPCODE_OFFSET);
        assertEquals(26, AtomicRequestFlyweight.WIDTH_OFFSET);
        assertEquals(32, AtomicRequestFlyweight.OPERAND_OFFSET);
        assertEquals(40, AtomicRequestFlyweight.OPERAND2_OFFSET);
        assertEquals(8, AtomicRequestFlyweight.REPLY_PAYLOAD_BYTES);
        MemorySegment s = Arena.ofAuto().allocate(RequestFlyweight.LENGTH);
        new RequestFlyweight().wrap(s, 0).version(TcpProtocol.VERSION).type(TcpProtocol.TYPE_ATOMIC).space(0)
                .requestId(5).address(4096);
        new AtomicRequestFlyweight().wrap(s, 0).opcode(AtomicRequestFlyweight.OP_COMPARE_AND_SWAP).width((short) 8)
                .reserved(0).operand(-1L).operand2(0x0102030405060708L);
        ByteBuffer b = s.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(TcpProtocol.TYPE_ATOMIC, b.getShort(2));
        assertEquals(4096, b.getLong(16));
        assertEquals(AtomicRequestFlyweight.OP_COMPARE_AND_SWAP, b.getShort(24));
        assertEquals(8, b.getShort(26));
        assertEquals(-1L, b.getLong(32));
        assertEquals(0x08, b.get(40));
        AtomicRequestFlyweight a = new AtomicRequestFlyweight().wrap(s, 0);
        assertEquals(AtomicRequestFlyweight.OP_COMPARE_AND_SWAP, a.opcode());
        assertEquals(8, a.width());
        assertEquals(-1L, a.operand());
        assertEquals(0x0102030405060708L, a.operand2());
    }

    @Test
    void everyDirectionShouldMapOntoItsRequestTypeAndBack() {
        for (Direction d : Direction.values()) {
            assertEquals(d, TcpProtocol.direction(TcpProtocol.requestType(d)));
        }
        assertEquals(TcpProtocol.TYPE_WRITE, TcpProtocol.requestType(Direction.WRITE));
        assertEquals(TcpProtocol.TYPE_READ, TcpProtocol.requestType(Direction.READ));
        assertEquals(TcpProtocol.TYPE_PUSH, TcpProtocol.requestType(Direction.COPY));
        assertEquals(null, TcpProtocol.direction(TcpProtocol.TYPE_ATOMIC));
        assertEquals(null, TcpProtocol.direction((short) 0x81));
    }
}
