package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class SlotDescriptorTest {
    private static final SlotDescriptor D = new SlotDescriptor("shm", "memfabric-demo-bm7-r3-host-p41234-t889123",
            1L << 30, MemoryType.HOST, 3, 41234, "19d0d4bd-1602-4cbe-9510-56343f3700e5");

    @Test
    void shouldRoundTripThroughTextAndBytes() {
        String text = "mfslot1|shm|memfabric-demo-bm7-r3-host-p41234-t889123|1073741824|host|3|41234|"
                + "19d0d4bd-1602-4cbe-9510-56343f3700e5";
        assertEquals(text, D.encode());
        assertEquals(D, SlotDescriptor.decode(text));
        assertArrayEquals(text.getBytes(StandardCharsets.US_ASCII), D.toBytes());
        assertEquals(D, SlotDescriptor.fromBytes(D.toBytes()));
    }

    @Test
    void malformedInputShouldBeAProtocolErrorNamingTheProblem() {
        assertDecodeFails("not a slot descriptor: 'x' (expected: mfslot1|backing|name|sizeBytes|type|rank|pid|hostId)",
                "x");
        assertDecodeFails("not a slot descriptor", D.encode().replace("mfslot1", "mfslot2"));
        assertDecodeFails("not a slot descriptor", D.encode() + "|extra");
        assertDecodeFails("slot descriptor type=gpu (expected: host or device)", D.encode().replace("|host|", "|gpu|"));
        assertDecodeFails("not a number", D.encode().replace("|1073741824|", "|1g|"));
        assertDecodeFails("sizeBytes=-1 (expected: > 0)", D.encode().replace("|1073741824|", "|-1|"));
        assertDecodeFails("rank=1024 (expected: 0..1023)", D.encode().replace("|3|41234|", "|1024|41234|"));
        assertDecodeFails("hostId= (expected", D.encode().replace("|19d0d4bd-1602-4cbe-9510-56343f3700e5", "|"));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> SlotDescriptor.fromBytes(new byte[] {'m', 0, 'x'}));
        assertTrue(e.getMessage().contains("not printable ASCII: 0"), e.getMessage());
    }

    @Test
    void fieldsThatWouldBreakTheFormatShouldBeRejected() {
        assertThrows(ConfigurationException.class, () -> new SlotDescriptor("shm", "a|b", 1, MemoryType.HOST, 0, 1,
                "h"));
        assertThrows(ConfigurationException.class, () -> new SlotDescriptor("shm", "a b", 1, MemoryType.HOST, 0, 1,
                "h"));
        assertThrows(ConfigurationException.class, () -> new SlotDescriptor("SHM", "a", 1, MemoryType.HOST, 0, 1,
                "h"));
        assertThrows(ConfigurationException.class, () -> new SlotDescriptor("shm", "a", 1, MemoryType.HOST, 0, 0,
                "h"));
        assertThrows(ConfigurationException.class, () -> new SlotDescriptor("shm", "a", 1, MemoryType.HOST, 0, 1,
                "h|x"));
    }

    @Test
    void slotNamesShouldParseBackAndExposeTheirOwner() {
        SlotName name = new SlotName("demo", "bm7", 3, MemoryType.DEVICE, 41234, 889123);
        assertEquals("memfabric-demo-bm7-r3-device-p41234-t889123", name.fileName());
        assertEquals(name, SlotName.parse(name.fileName()));
        assertArrayEquals(new long[] {41234, 889123}, SlotName.owner(name.fileName()));
        assertArrayEquals(new long[] {5, 6}, SlotName.owner("memfabric-future-format-p5-t6"));
        assertNull(SlotName.owner("memfabric-no-owner"));
        assertNull(SlotName.parse("memfabric-demo-bm7-r3-gpu-p41234-t889123"));
        assertNull(SlotName.parse("memfabric-demo-bm7-r3000-host-p0-t1"));
        assertNull(SlotName.parse("memfabric-a-b-c-r3-host-p1-t1"));
    }

    private static void assertDecodeFails(String expectedPart, String text) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> SlotDescriptor.decode(text));
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }
}
