package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ProtocolException;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.SlotDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class PeerDescriptorTest {
    static final String HOST = "19d0d4bd-1602-4cbe-9510-56343f3700e5";
    static final SlotDescriptor HOST_SLOT = new SlotDescriptor("shm", "memfabric-demo-bm7-r3-host-p41234-t889123",
            1L << 30, MemoryType.HOST, 3, 41234, HOST);
    static final SlotDescriptor DEVICE_SLOT = new SlotDescriptor("shm", "memfabric-demo-bm7-r3-device-p41234-t889123",
            1L << 20, MemoryType.DEVICE, 3, 41234, HOST);

    static PeerDescriptor sample() {
        return new PeerDescriptor(3, HOST, 41234, "127.0.0.1:40123", List.of(HOST_SLOT, DEVICE_SLOT),
                List.of(0x7f3a00000000L, 0x7f3b00000000L));
    }

    @Test
    void shouldRoundTripThroughTextAndBytes() {
        PeerDescriptor d = sample();
        assertEquals(d, PeerDescriptor.decode(d.encode()));
        assertEquals(d, PeerDescriptor.fromBytes(d.toBytes()));
        assertTrue(d.encode().startsWith("mfpeer1 3 " + HOST + " 41234 127.0.0.1:40123 2 7f3a00000000 mfslot1|"),
                d.encode());
        assertEquals(HOST_SLOT, d.slot(MemoryType.HOST));
        assertEquals(0x7f3b00000000L, d.slotAddress(MemoryType.DEVICE));
        PeerDescriptor bare = new PeerDescriptor(5, "host-b", 7, "[::1]:9", List.of());
        assertEquals(bare, PeerDescriptor.decode(bare.encode()));
        assertNull(bare.slot(MemoryType.HOST));
        assertEquals(new InetSocketAddress("::1", 9), bare.dataSocketAddress());
    }

    @Test
    void shouldRejectInconsistentValues() {
        assertThrows(ConfigurationException.class, () -> new PeerDescriptor(4, HOST, 41234, "127.0.0.1:1",
                List.of(HOST_SLOT)));
        assertThrows(ConfigurationException.class, () -> new PeerDescriptor(3, "other-host", 41234, "127.0.0.1:1",
                List.of(HOST_SLOT)));
        assertThrows(ConfigurationException.class, () -> new PeerDescriptor(3, HOST, 41234, "127.0.0.1:1",
                List.of(HOST_SLOT, HOST_SLOT)));
        assertThrows(ConfigurationException.class, () -> new PeerDescriptor(3, HOST, 41234, "127.0.0.1:0",
                List.of()));
        assertThrows(ConfigurationException.class, () -> new PeerDescriptor(3, HOST, 41234, "127.0.0.1",
                List.of()));
        assertThrows(ConfigurationException.class, () -> new PeerDescriptor(3, HOST, 0, "127.0.0.1:1", List.of()));
        assertThrows(ConfigurationException.class, () -> new PeerDescriptor(3, HOST, 41234, "127.0.0.1:1",
                List.of(HOST_SLOT), List.of()));
    }

    @Test
    void decodeShouldNameWhatIsWrong() {
        String text = sample().encode();
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> PeerDescriptor.decode(text.replace(" 41234 ", " x ")));
        assertTrue(e.getMessage().contains("pid=x"), e.getMessage());
        assertThrows(ProtocolException.class, () -> PeerDescriptor.decode(text.replace(" 2 7f3a", " 3 7f3a")));
        assertThrows(ProtocolException.class, () -> PeerDescriptor.decode(text.replace("7f3a00000000", "G")));
        assertThrows(ProtocolException.class, () -> PeerDescriptor.decode(text + " "));
        assertThrows(ProtocolException.class, () -> PeerDescriptor.decode("mfpeer2" + text.substring(7)));
        assertThrows(ProtocolException.class, () -> PeerDescriptor.decode("x".repeat(5000)));
        assertThrows(ProtocolException.class, () -> PeerDescriptor.fromBytes(new byte[] {'m', 0, 'f'}));
    }
}
