package io.memfabric.memory;

import io.memfabric.nativeio.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slot files of a process that is stopped by a signal: its shutdown hook deletes the files it owns, and only those.
 */
@Timeout(60)
class OwnedSlotFilesTest {
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

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalledOwnerShouldDeleteItsSlotFile(String signal) throws Exception {
        List<String> jvmArgs = List.of("-D" + MemoryConfig.SHM_DIR_PROP + "=" + dir.path());
        try (ChildJvm child = ChildJvm.start("owned-slot-files-" + signal, ShmSlotChild.class, jvmArgs, "fab",
                "child", Long.toString(1 << 20))) {
            String name = child.awaitLine("READY ", Duration.ofSeconds(30)).split(" ")[1];
            assertTrue(Files.exists(dir.path().resolve(name)), "the child's slot file while it runs");

            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.process().pid())).start();
            assertEquals(0, kill.waitFor());
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), "the child ends on SIG" + signal);
            assertNotEquals(0, child.process().exitValue(), "it was stopped by the signal, not by its stdin ending");
            assertEquals(0, dir.fileCount(), "its slot file is deleted by its shutdown hook");
        }
    }

    @Test
    void theHookShouldDeleteOwnedFilesAndLeaveMappedPeerFilesAlone() throws Exception {
        List<String> jvmArgs = List.of("-D" + MemoryConfig.SHM_DIR_PROP + "=" + dir.path());
        try (ChildJvm child = ChildJvm.start("owned-slot-files-peer", ShmSlotChild.class, jvmArgs, "fab", "child",
                Long.toString(1 << 20));
             ShmSlot own = ShmSlot.create("fab", "own", 0, MemoryType.HOST, 4096, options)) {
            SlotDescriptor peer = SlotDescriptor.decode(child.awaitLine("READY ", Duration.ofSeconds(30))
                    .split(" ")[2]);
            try (ShmSlot mapped = ShmSlot.open(peer, options)) {
                assertTrue(OwnedSlotFiles.registered().contains(own.path()));
                assertFalse(OwnedSlotFiles.registered().contains(mapped.path()), "a mapped peer slot is not ours");

                assertEquals(List.of(own.path()), OwnedSlotFiles.deleteAll().stream()
                        .filter(p -> p.startsWith(dir.path())).toList());
                assertFalse(Files.exists(own.path()));
                assertTrue(Files.exists(mapped.path()), "the peer's file is left to the peer");
            }
            own.close(); // after the hook: nothing left to delete, and no failure
            assertFalse(OwnedSlotFiles.registered().contains(own.path()));
        }
    }

    @Test
    void closeShouldUnregisterTheFile() {
        ShmSlot slot = ShmSlot.create("fab", "closing", 0, MemoryType.HOST, 4096, options);
        Path path = slot.path();
        assertTrue(OwnedSlotFiles.registered().contains(path));
        slot.close();
        assertFalse(OwnedSlotFiles.registered().contains(path));
        assertFalse(Files.exists(path));
    }

    @Test
    void aFileOfAnotherProcessShouldBeRefused() {
        Path foreign = dir.path().resolve("memfabric-fab-x-r0-host-p1-t0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OwnedSlotFiles.register(foreign));
        assertTrue(e.getMessage().startsWith(foreign + " is not a slot file of this process"), e.getMessage());
    }
}
