package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.nativeio.ChildJvm;
import io.memfabric.nativeio.NativeCallException;
import io.memfabric.nativeio.NativeFile;
import io.memfabric.nativeio.Patterns;
import io.memfabric.nativeio.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ShmSlotTest {
    /** Not a multiple of the page size: the last page is partly used. */
    private static final long SIZE = 3 * 4096 + 100;

    private ShmTestDirectory dir;
    private ShmOptions options;

    @BeforeEach
    void createDirectory() {
        dir = ShmTestDirectory.create();
        options = dir.options();
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        dir.close();
    }

    @Test
    void shouldShareBytesBetweenTheOwnerAndASecondMapping() {
        try (ShmSlot owner = ShmSlot.create("fab", "obj1", 0, MemoryType.HOST, SIZE, options);
             ShmSlot mapped = ShmSlot.open(owner.name(), SIZE, options)) {
            assertTrue(owner.isOwner());
            assertFalse(mapped.isOwner());
            assertEquals(SIZE, owner.segment().byteSize());
            assertEquals(SIZE, mapped.segment().byteSize());
            Patterns.fill(owner.segment(), 11);
            assertEquals(-1, Patterns.firstMismatch(mapped.segment(), 11));
            mapped.segment().set(JAVA_LONG, 4096, 0xfeed_beefL);
            assertEquals(0xfeed_beefL, owner.segment().get(JAVA_LONG, 4096));
            assertEquals(owner.descriptor(), mapped.descriptor());
        }
    }

    @Test
    void nameShouldCarryFabricObjectRankTypePidAndStartTime() throws Exception {
        try (ShmSlot slot = ShmSlot.create("fab", "obj7", 5, MemoryType.DEVICE, 4096, options)) {
            String expected = "memfabric-fab-obj7-r5-device-p" + Processes.currentPid() + "-t"
                    + Processes.currentStartTicks();
            assertEquals(expected, slot.name());
            assertEquals(dir.path().resolve(expected), slot.path());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(slot.path())));
            SlotDescriptor d = slot.descriptor();
            assertEquals(new SlotDescriptor("shm", expected, 4096, MemoryType.DEVICE, 5, Processes.currentPid(),
                    HostId.current()), d);
        }
    }

    @Test
    void ownerCloseShouldDeleteTheFileAndBeIdempotent() {
        ShmSlot slot = ShmSlot.create("fab", "obj", 0, MemoryType.HOST, SIZE, options);
        Path path = slot.path();
        assertTrue(Files.exists(path));
        slot.close();
        assertFalse(Files.exists(path));
        assertTrue(slot.isClosed());
        slot.close();
        MemFabricException e = assertThrows(MemFabricException.class, slot::segment);
        assertEquals(ErrorCode.NOT_INITIALIZED, e.code());
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
    }

    @Test
    void mapperCloseShouldOnlyUnmapAndAMappingShouldOutliveTheOwner() {
        ShmSlot owner = ShmSlot.create("fab", "obj", 0, MemoryType.HOST, SIZE, options);
        ShmSlot first = ShmSlot.open(owner.name(), SIZE, options);
        try (ShmSlot second = ShmSlot.open(owner.name(), SIZE, options)) {
            Patterns.fill(owner.segment(), 5);
            first.close();
            first.close();
            assertTrue(Files.exists(owner.path()), "a mapper's close leaves the file");
            assertEquals(-1, Patterns.firstMismatch(owner.segment(), 5));
            owner.close();
            assertFalse(Files.exists(owner.path()));
            assertEquals(-1, Patterns.firstMismatch(second.segment(), 5), "memory lives while it is mapped");
        } finally {
            first.close();
            owner.close();
        }
    }

    @Test
    void ownerShouldHoldItsLockForItsWholeLife() {
        Path path;
        try (ShmSlot slot = ShmSlot.create("fab", "obj", 0, MemoryType.HOST, 4096, options);
             NativeFile other = NativeFile.open(slot.path())) {
            path = slot.path();
            assertFalse(other.tryLockExclusive());
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void openOfAMissingSlotShouldNameThePath() {
        String name = "memfabric-fab-obj-r0-host-p1-t1";
        NativeCallException e = assertThrows(NativeCallException.class, () -> ShmSlot.open(name, 4096, options));
        assertEquals(ErrorCode.OBJECT_NOT_EXISTS, e.code());
        assertTrue(e.getMessage().contains("path=" + dir.path().resolve(name)), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT(2)"), e.getMessage());
    }

    @Test
    void openShouldRefuseToMapPastTheEndOfTheFile() {
        try (ShmSlot owner = ShmSlot.create("fab", "obj", 0, MemoryType.HOST, 4096, options)) {
            MemFabricException e = assertThrows(MemFabricException.class,
                    () -> ShmSlot.open(owner.name(), 8192, options));
            assertEquals(ErrorCode.INVALID_PARAM, e.code());
            assertEquals("slot file " + owner.path() + " holds 4096 bytes, fewer than the 8192 to map (access past "
                    + "its end would fault)", e.getMessage());
        }
    }

    @Test
    void badSizesShouldBeRejected() {
        assertMessage("sizeBytes=0 (expected: > 0)",
                () -> ShmSlot.create("fab", "obj", 0, MemoryType.HOST, 0, options));
        assertMessage("sizeBytes=-4096 (expected: > 0)",
                () -> ShmSlot.create("fab", "obj", 0, MemoryType.HOST, -4096, options));
        assertMessage("sizeBytes=0 (expected: > 0)",
                () -> ShmSlot.open("memfabric-fab-obj-r0-host-p1-t1", 0, options));
        assertEquals(0, dir.fileCount());
    }

    @Test
    void namesThatCouldLeaveTheDirectoryShouldBeRejected() {
        assertMessage("fabricId=a/b (expected: 1-64 of [A-Za-z0-9_.])",
                () -> ShmSlot.create("a/b", "obj", 0, MemoryType.HOST, 4096, options));
        assertMessage("objectId=../x (expected: 1-64 of [A-Za-z0-9_.])",
                () -> ShmSlot.create("fab", "../x", 0, MemoryType.HOST, 4096, options));
        assertMessage("fabricId=a-b (expected: 1-64 of [A-Za-z0-9_.])",
                () -> ShmSlot.create("a-b", "obj", 0, MemoryType.HOST, 4096, options));
        assertMessage("rank=1024 (expected: 0..1023)",
                () -> ShmSlot.create("fab", "obj", 1024, MemoryType.HOST, 4096, options));
        for (String name : List.of("../etc/passwd", "memfabric-a-b-r0-host-p1-t1/../x", "/dev/shm/x",
                "memfabric-a-b-r0-host-p1-t1/")) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> ShmSlot.open(name, 4096, options));
            assertTrue(e.getMessage().startsWith("name=" + name + " (expected: a slot file name"), e.getMessage());
        }
        assertEquals(0, dir.fileCount());
    }

    @Test
    void creatingTheSameSlotTwiceShouldFailAndLeaveTheFirstIntact() {
        try (ShmSlot first = ShmSlot.create("fab", "obj", 0, MemoryType.HOST, 4096, options)) {
            Patterns.fill(first.segment(), 9);
            NativeCallException e = assertThrows(NativeCallException.class,
                    () -> ShmSlot.create("fab", "obj", 0, MemoryType.HOST, 4096, options));
            assertEquals(ErrorCode.DUPLICATED_OBJECT, e.code());
            assertTrue(Files.exists(first.path()), "the failed create must not delete the existing file");
            try (ShmSlot mapped = ShmSlot.open(first.descriptor(), options)) {
                assertEquals(-1, Patterns.firstMismatch(mapped.segment(), 9));
            }
        }
    }

    @Test
    void aFailureHalfwayShouldReleaseEverythingAndNameTheCall() {
        // 1 PiB: the file can be sized (tmpfs allocates lazily) but no address space can hold the mapping, so creation
        // fails after the file, its lock and its size were acquired, and before any memory is touched.
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> ShmSlot.create("fab", "huge", 0, MemoryType.HOST, 1L << 50, options));
        assertTrue(e.getMessage().matches(
                "(mmap|ftruncate)\\(.*length=1125899906842624.* failed: E[A-Z]+\\(\\d+\\) .*"), e.getMessage());
        assertEquals(0, dir.fileCount(), "the half-made file is deleted");
    }

    @Test
    void openByDescriptorShouldCheckHostAndName() {
        try (ShmSlot owner = ShmSlot.create("fab", "obj", 2, MemoryType.HOST, 4096, options)) {
            SlotDescriptor d = owner.descriptor();
            try (ShmSlot mapped = ShmSlot.open(SlotDescriptor.decode(d.encode()), options)) {
                assertEquals(2, mapped.rank());
                assertEquals(MemoryType.HOST, mapped.type());
            }
            SlotDescriptor elsewhere = new SlotDescriptor(d.backing(), d.name(), d.sizeBytes(), d.type(), d.rank(),
                    d.pid(), "another-host");
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> ShmSlot.open(elsewhere, options));
            assertTrue(e.getMessage().contains("is on host another-host, not on this host"), e.getMessage());
            SlotDescriptor wrongRank = new SlotDescriptor(d.backing(), d.name(), d.sizeBytes(), d.type(), 3, d.pid(),
                    d.hostId());
            assertThrows(ConfigurationException.class, () -> ShmSlot.open(wrongRank, options));
            SlotDescriptor otherBacking = new SlotDescriptor("cuda-ipc", d.name(), d.sizeBytes(), d.type(), d.rank(),
                    d.pid(), d.hostId());
            assertThrows(ConfigurationException.class, () -> ShmSlot.open(otherBacking, options));
        }
    }

    @Test
    void aSlotOfAnotherJvmShouldBeSharedAndCleanedAfterItIsKilled() throws Exception {
        long size = 1 << 20;
        List<String> jvmArgs = List.of("-D" + MemoryConfig.SHM_DIR_PROP + "=" + dir.path());
        try (ChildJvm child = ChildJvm.start("shm-slot-child", ShmSlotChild.class, jvmArgs, "fab", "child",
                Long.toString(size))) {
            String[] ready = child.awaitLine("READY ", Duration.ofSeconds(30)).split(" ");
            SlotDescriptor descriptor = SlotDescriptor.decode(ready[2]);
            assertEquals(child.process().pid(), descriptor.pid());
            assertEquals(ready[1], descriptor.name());
            Path childFile = dir.path().resolve(descriptor.name());

            try (ShmSlot mapped = ShmSlot.open(descriptor, options)) {
                assertEquals(-1, Patterns.firstMismatch(mapped.segment(), 7), "the child's bytes, seen here");
                Patterns.fill(mapped.segment(), 8);
                child.send("CHECK 8");
                assertEquals("OK", child.awaitLine("", Duration.ofSeconds(30)), "our bytes, seen by the child");

                assertEquals(List.of(), StaleSlotCleaner.clean(dir.path()), "a live owner's file is kept");
                assertTrue(Files.exists(childFile));

                child.kill();
                assertEquals(List.of(childFile), StaleSlotCleaner.clean(dir.path()));
                assertFalse(Files.exists(childFile));
                assertEquals(-1, Patterns.firstMismatch(mapped.segment(), 8), "still mapped after the cleanup");
            }
        }
        assertEquals(0, dir.fileCount());
    }

    private static void assertMessage(String expected, Runnable call) {
        ConfigurationException e = assertThrows(ConfigurationException.class, call::run);
        assertEquals(expected, e.getMessage());
    }
}
