package io.memfabric.transport.tcp;

import io.memfabric.transport.tcp.TcpProtocol.HelloFlyweight;
import io.memfabric.transport.tcp.TcpProtocol.ReplyFlyweight;
import io.memfabric.transport.tcp.TcpProtocol.RequestFlyweight;
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
        new RequestFlyweight().wrap(s, 0).set(TcpProtocol.TYPE_WRITE, 2, 0x0102030405060708L, 0x1122334455667788L,
                4096, 7, 1, 99);
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
        HelloFlyweight h = new HelloFlyweight().wrap(s, 8).set(5, 9);
        assertEquals(TcpProtocol.MAGIC, h.magic());
        assertEquals("MFDP", new String(new byte[] {s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 8),
            s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 9), s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 10),
            s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 11)}, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(5, h.rankOrStatus());
        assertEquals(9, h.targetRank());
        ReplyFlyweight r = new ReplyFlyweight().wrap(s, 0).set(TcpProtocol.TYPE_READ, -2302, 42, 17);
        assertEquals((short) (TcpProtocol.TYPE_READ | TcpProtocol.TYPE_REPLY_FLAG), r.type());
        assertEquals(-2302, r.status());
        assertEquals(42, r.requestId());
        assertEquals(17, r.length());
    }
}
