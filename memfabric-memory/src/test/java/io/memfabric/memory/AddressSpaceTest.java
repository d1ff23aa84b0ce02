package io.memfabric.memory;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;

import static io.memfabric.memory.AddressSpace.BAD_LENGTH;
import static io.memfabric.memory.AddressSpace.DEVICE_BASE;
import static io.memfabric.memory.AddressSpace.HOST_BASE;
import static io.memfabric.memory.AddressSpace.MAX_STRIDE_BYTES;
import static io.memfabric.memory.AddressSpace.MAX_WORLD_SIZE;
import static io.memfabric.memory.AddressSpace.NOT_GLOBAL;
import static io.memfabric.memory.AddressSpace.NO_SUCH_RANK;
import static io.memfabric.memory.AddressSpace.OK;
import static io.memfabric.memory.AddressSpace.OUTSIDE_SLOT;
import static io.memfabric.memory.AddressSpace.WINDOW_BYTES;
import static io.memfabric.memory.MemoryType.DEVICE;
import static io.memfabric.memory.MemoryType.HOST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Examples and named edge cases; {@link AddressSpacePropertyTest} covers the whole input space. */
@Timeout(10)
class AddressSpaceTest {
    private static final long MIB = 1 << 20;
    /** 4 ranks, 1 MiB strides; rank 1 backs 64 KiB of HOST, ranks 2 and 3 back all of it, rank 0 nothing yet. */
    private static final AddressSpace SPACE = AddressSpace.of(4, MIB, 2 * MIB)
            .withBackedBytes(1, HOST, 64 * 1024)
            .withBackedBytes(2, HOST, MIB)
            .withBackedBytes(3, HOST, MIB)
            .withBackedBytesForAll(DEVICE, MIB);

    @Test
    void windowsShouldBeDisjointAboveUserSpaceAndBelowTheSignBit() {
        assertEquals(1L << 58, DEVICE_BASE);
        assertEquals(1L << 59, HOST_BASE);
        assertEquals(DEVICE_BASE + WINDOW_BYTES, HOST_BASE);
        assertEquals(1L << 48, MAX_STRIDE_BYTES);
        assertTrue(DEVICE_BASE > 1L << 57, "above x86-64 5-level user space");
        assertTrue(HOST_BASE + WINDOW_BYTES > HOST_BASE, "no overflow at the end of the HOST window");
    }

    @Test
    void largestSpaceShouldNotOverflow() {
        AddressSpace max = AddressSpace.of(MAX_WORLD_SIZE, MAX_STRIDE_BYTES, MAX_STRIDE_BYTES)
                .withBackedBytesForAll(HOST, MAX_STRIDE_BYTES);
        long last = max.gva(MAX_WORLD_SIZE - 1, HOST, MAX_STRIDE_BYTES - 1);
        assertEquals(HOST_BASE + WINDOW_BYTES - 1, last);
        assertEquals(MAX_WORLD_SIZE - 1, max.rankOf(last));
        assertEquals(HOST, max.typeOf(last));
        assertEquals(MAX_STRIDE_BYTES - 1, max.offsetOf(last));
        assertEquals(OK, max.rangeStatus(last, 1));
        assertEquals(OUTSIDE_SLOT, max.rangeStatus(last, 2));
        assertEquals(NOT_GLOBAL, max.rangeStatus(last + 1, 1));
        long lastDevice = max.gva(MAX_WORLD_SIZE - 1, DEVICE, MAX_STRIDE_BYTES - 1);
        assertEquals(HOST_BASE - 1, lastDevice);
        assertEquals(DEVICE, max.typeOf(lastDevice));
        assertEquals(HOST, max.typeOf(lastDevice + 1));
    }

    @Test
    void shouldComposeAndDecompose() {
        long gva = SPACE.gva(3, HOST, 12345);
        assertEquals(HOST_BASE + 3 * MIB + 12345, gva);
        assertEquals(3, SPACE.rankOf(gva));
        assertEquals(HOST, SPACE.typeOf(gva));
        assertEquals(12345, SPACE.offsetOf(gva));
        assertEquals(DEVICE_BASE + 2 * 2 * MIB, SPACE.peerBase(2, DEVICE));
        assertEquals(12345, SPACE.checkRange(gva, 1));
    }

    @Test
    void exactMatchOfTheBackedPartShouldBeAccepted() {
        assertEquals(OK, SPACE.rangeStatus(SPACE.peerBase(1, HOST), 64 * 1024));
        assertEquals(OK, SPACE.rangeStatus(SPACE.peerBase(2, HOST), MIB));
    }

    @Test
    void partialOverlapShouldBeRejectedAtEitherEnd() {
        long start = SPACE.peerBase(1, HOST);
        assertEquals(OUTSIDE_SLOT, SPACE.rangeStatus(start - 1, 2), "starts in rank 0's unbacked slot");
        assertEquals(OUTSIDE_SLOT, SPACE.rangeStatus(start + 64 * 1024 - 1, 2), "ends past the backed part");
        assertEquals(OUTSIDE_SLOT, SPACE.rangeStatus(start, 64 * 1024 + 1));
        assertEquals(OUTSIDE_SLOT, SPACE.rangeStatus(start + 64 * 1024, 1), "first byte past the backed part");
        assertEquals(OK, SPACE.rangeStatus(start + 64 * 1024 - 1, 1), "last backed byte");
    }

    @Test
    void zeroAndNegativeLengthsShouldBeRejected() {
        long start = SPACE.peerBase(2, HOST);
        assertEquals(BAD_LENGTH, SPACE.rangeStatus(start, 0));
        assertEquals(BAD_LENGTH, SPACE.rangeStatus(start, -1));
        assertEquals(BAD_LENGTH, SPACE.rangeStatus(start, Long.MIN_VALUE));
        AddressOutOfRangeException e = assertThrows(AddressOutOfRangeException.class, () -> SPACE.checkRange(start, 0));
        assertEquals("gva=0x0800000000200000 length=0 (expected: length > 0)", e.getMessage());
    }

    @Test
    void lengthsThatWouldOverflowShouldBeRejected() {
        long lastByte = SPACE.peerBase(3, HOST) + MIB - 1;
        assertEquals(OUTSIDE_SLOT, SPACE.rangeStatus(lastByte, Long.MAX_VALUE));
        assertEquals(OUTSIDE_SLOT, SPACE.rangeStatus(SPACE.peerBase(2, HOST), Long.MAX_VALUE));
        assertEquals(OUTSIDE_SLOT, SPACE.rangeStatus(SPACE.peerBase(2, HOST), Long.MAX_VALUE - MIB + 2));
        assertEquals(NOT_GLOBAL, SPACE.rangeStatus(Long.MAX_VALUE, Long.MAX_VALUE));
        assertEquals(NOT_GLOBAL, SPACE.rangeStatus(Long.MIN_VALUE, 1));
        assertEquals(NOT_GLOBAL, SPACE.rangeStatus(-1, 1));
    }

    @Test
    void adjacentSlotsShouldBeSeparateRegions() {
        long end2 = SPACE.peerBase(3, HOST);
        assertEquals(OK, SPACE.rangeStatus(end2 - 8, 8), "ends exactly at the end of rank 2");
        assertEquals(OK, SPACE.rangeStatus(end2, 8), "starts exactly at rank 3");
        assertEquals(OUTSIDE_SLOT, SPACE.rangeStatus(end2 - 8, 16), "spans ranks 2 and 3, though both are backed");
        assertEquals(2, SPACE.rankOf(end2 - 1));
        assertEquals(3, SPACE.rankOf(end2));
    }

    @Test
    void ranksAtOrBeyondTheWorldSizeShouldBeRejected() {
        long rank4 = HOST_BASE + 4 * MIB;
        assertEquals(NO_SUCH_RANK, SPACE.rangeStatus(rank4, 1));
        assertEquals(-1, SPACE.rankOf(rank4));
        assertNull(SPACE.typeOf(rank4));
        assertEquals(-1, SPACE.offsetOf(rank4));
        AddressOutOfRangeException e = assertThrows(AddressOutOfRangeException.class,
                () -> SPACE.checkRange("copy G2L", rank4 + 5, 10));
        assertEquals("copy G2L: gva=0x0800000000400005 length=10 is in the HOST slot of rank 4, but worldSize=4",
                e.getMessage());
        assertThrows(ConfigurationException.class, () -> SPACE.peerBase(4, HOST));
        assertThrows(ConfigurationException.class, () -> SPACE.peerBase(-1, HOST));
    }

    @Test
    void messageShouldNameTheOperationTheAddressTheLengthAndTheSlot() {
        AddressSpace space = AddressSpace.of(4, MIB, 0).withBackedBytes(3, HOST, 4096);
        long gva = space.peerBase(3, HOST);
        AddressOutOfRangeException e = assertThrows(AddressOutOfRangeException.class,
                () -> space.checkRange("copy L2G", gva, 8192));
        assertEquals("copy L2G: gva=0x0800000000300000 length=8192 exceeds rank 3 HOST slot [0x0800000000300000, "
                + "+4096)", e.getMessage());
        assertEquals(ErrorCode.ADDRESS_OUT_OF_RANGE, e.code());
        assertEquals(gva, e.gva());
        assertEquals(8192, e.length());
    }

    @Test
    void localPointersAndUnusedTypesShouldNotBeGlobal() {
        AddressSpace hostOnly = AddressSpace.of(2, MIB, 0).withBackedBytesForAll(HOST, MIB);
        assertEquals(NOT_GLOBAL, hostOnly.rangeStatus(0x7f12_3456_7000L, 8), "a typical local pointer");
        assertEquals(NOT_GLOBAL, hostOnly.rangeStatus(DEVICE_BASE, 8), "no DEVICE memory in this space");
        assertEquals(-1, hostOnly.rankOf(DEVICE_BASE));
        assertEquals(DEVICE_BASE, hostOnly.peerBase(1, DEVICE));
        assertThrows(ConfigurationException.class, () -> hostOnly.gva(0, DEVICE, 0));
        AddressOutOfRangeException e = assertThrows(AddressOutOfRangeException.class,
                () -> hostOnly.checkRange(0x1000, 8));
        assertEquals("gva=0x0000000000001000 length=8 is not a global address (DEVICE none, HOST "
                + "[0x0800000000000000, 0x0800000000200000))", e.getMessage());
    }

    @Test
    void badLayoutsShouldBeRejectedNamingTheValue() {
        assertMessage("worldSize=0 (expected: 1..1024)", () -> AddressSpace.of(0, MIB, MIB));
        assertMessage("worldSize=1025 (expected: 1..1024)", () -> AddressSpace.of(1025, MIB, MIB));
        assertMessage("hostStrideBytes=-1 (expected: 0..281474976710656)", () -> AddressSpace.of(1, -1, MIB));
        assertMessage("deviceStrideBytes=281474976710657 (expected: 0..281474976710656)",
                () -> AddressSpace.of(1, MIB, MAX_STRIDE_BYTES + 1));
        assertMessage("HOST backedBytes of rank 1=1048577 (expected: 0..1048576)",
                () -> SPACE.withBackedBytes(1, HOST, MIB + 1));
        assertMessage("rank=4 (expected: 0..3)", () -> SPACE.withBackedBytes(4, HOST, 1));
        assertMessage("offset=1048576 (expected: 0..1048575 in a HOST slot of stride 1048576)",
                () -> SPACE.gva(0, HOST, MIB));
    }

    @Test
    void withBackedBytesShouldLeaveTheOriginalUnchanged() {
        AddressSpace before = AddressSpace.of(2, MIB, MIB);
        AddressSpace after = before.withBackedBytes(1, HOST, 4096);
        assertEquals(0, before.backedBytes(1, HOST));
        assertEquals(4096, after.backedBytes(1, HOST));
        assertEquals(AddressSpace.of(2, MIB, MIB), before);
        assertEquals(after, AddressSpace.of(2, MIB, MIB).withBackedBytes(1, HOST, 4096));
        assertEquals(after.hashCode(), AddressSpace.of(2, MIB, MIB).withBackedBytes(1, HOST, 4096).hashCode());
    }

    @Test
    void rangeStatusShouldNotAllocate() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long gva = SPACE.peerBase(2, HOST);
        long sum = 0;
        for (int i = 0; i < 100_000; i++) {
            sum += SPACE.rangeStatus(gva + (i & 0xfff), i & 0xff) + SPACE.rankOf(gva + i) + SPACE.offsetOf(gva + i);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sum += SPACE.rangeStatus(gva + (i & 0xfff), i & 0xff) + SPACE.rankOf(gva + i) + SPACE.offsetOf(gva + i);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(sum != 0);
        assertTrue(allocated < 4096, "100000 checks allocated " + allocated + " bytes");
    }

    private static void assertMessage(String expected, Runnable call) {
        ConfigurationException e = assertThrows(ConfigurationException.class, call::run);
        assertEquals(expected, e.getMessage());
        assertEquals(ErrorCode.INVALID_PARAM, e.code());
    }
}
