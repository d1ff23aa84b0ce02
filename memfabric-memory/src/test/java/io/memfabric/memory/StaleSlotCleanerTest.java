package io.memfabric.memory;

import io.memfabric.nativeio.NativeFile;
import io.memfabric.nativeio.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class StaleSlotCleanerTest {
    /** Above any pid_max (at most 2^22 on Linux): no process ever has it. */
    private static final long DEAD_PID = 999_999_999L;

    private ShmTestDirectory dir;

    @BeforeEach
    void createDirectory() {
        dir = ShmTestDirectory.create();
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        dir.close();
    }

    @Test
    void shouldKeepTheFilesOfLiveProcesses() {
        try (ShmSlot slot = ShmSlot.create("fab", "obj", 0, MemoryType.HOST, 4096, dir.options())) {
            assertEquals(List.of(), StaleSlotCleaner.clean(dir.path()));
            assertTrue(Files.exists(slot.path()));
        }
    }

    @Test
    void shouldRemoveTheFileOfADeadProcess() throws Exception {
        Path stale = file("memfabric-fab-obj-r0-host-p" + DEAD_PID + "-t12345");
        assertEquals(List.of(stale), StaleSlotCleaner.clean(dir.path()));
        assertFalse(Files.exists(stale));
    }

    @Test
    void shouldRemoveTheFileOfAProcessWhosePidWasReused() throws Exception {
        // Our pid, but another start time: the owner died and the kernel gave its pid to this process.
        long ticks = Processes.currentStartTicks();
        Path stale = file("memfabric-fab-obj-r0-host-p" + Processes.currentPid() + "-t" + (ticks - 1));
        assertEquals(List.of(stale), StaleSlotCleaner.clean(dir.path()));
    }

    @Test
    void shouldRemoveFilesOfAnyLaterNameFormatThatKeepsTheOwnerSuffix() throws Exception {
        Path stale = file("memfabric-some-future-layout-x-p" + DEAD_PID + "-t1");
        assertEquals(List.of(stale), StaleSlotCleaner.clean(dir.path()));
    }

    @Test
    void shouldKeepAFileWhoseLockIsHeldEvenWhenItsPidLooksDead() throws Exception {
        // An owner in another pid namespace: its pid means nothing here, but its lock is real.
        Path held = file("memfabric-fab-obj-r0-host-p" + DEAD_PID + "-t1");
        try (NativeFile owner = NativeFile.open(held)) {
            assertTrue(owner.tryLockExclusive());
            assertEquals(List.of(), StaleSlotCleaner.clean(dir.path()));
            assertTrue(Files.exists(held));
        }
        assertEquals(List.of(held), StaleSlotCleaner.clean(dir.path()), "removed once the lock is gone");
    }

    @Test
    void shouldLeaveEverythingElseAlone() throws Exception {
        Path noSuffix = file("memfabric-something");
        Path otherPrefix = file("other-fab-obj-r0-host-p" + DEAD_PID + "-t1");
        Path directory = Files.createDirectory(dir.path().resolve("memfabric-dir-p" + DEAD_PID + "-t1"));
        Path target = file("target-of-link");
        Path link = Files.createSymbolicLink(dir.path().resolve("memfabric-link-p" + DEAD_PID + "-t1"), target);
        assertEquals(List.of(), StaleSlotCleaner.clean(dir.path()));
        for (Path p : List.of(noSuffix, otherPrefix, directory, target, link)) {
            assertTrue(Files.exists(p, LinkOption.NOFOLLOW_LINKS), p + " kept");
        }
    }

    @Test
    void aMissingDirectoryShouldHoldNothingToClean() {
        assertEquals(List.of(), StaleSlotCleaner.clean(dir.path().resolve("missing")));
    }

    private Path file(String name) throws Exception {
        return Files.createFile(dir.path().resolve(name));
    }
}
