package io.memfabric.nativeio;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class NativeFileTest {
    /** A private directory on tmpfs, like the slots' (population of a disk-backed file would write to disk). */
    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "mftest-");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void openOfMissingFileShouldNameThePathAndTheErrno() {
        Path missing = dir.resolve("missing");
        NativeCallException e = assertThrows(NativeCallException.class, () -> NativeFile.open(missing));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals(ErrorCode.OBJECT_NOT_EXISTS, e.code());
        assertTrue(e.getMessage().startsWith("open(path=" + missing + ", flags=O_RDWR|O_CLOEXEC|O_NOFOLLOW) failed: "
                + "ENOENT(2) No such file or directory"), e.getMessage());
    }

    @Test
    void createShouldFailWhenTheNameExists() {
        Path path = dir.resolve("f");
        try (NativeFile first = NativeFile.create(path)) {
            assertEquals(path, first.path());
            NativeCallException e = assertThrows(NativeCallException.class, () -> NativeFile.create(path));
            assertEquals(ErrorCode.DUPLICATED_OBJECT, e.code());
            assertTrue(e.getMessage().contains("O_CREAT|O_EXCL"), e.getMessage());
            assertTrue(e.getMessage().contains("mode=0600"), e.getMessage());
            assertTrue(e.getMessage().contains("EEXIST(17)"), e.getMessage());
        }
    }

    @Test
    void openShouldRefuseASymbolicLink() throws Exception {
        Path target = dir.resolve("target");
        Files.createFile(target);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        NativeCallException e = assertThrows(NativeCallException.class, () -> NativeFile.open(link));
        assertEquals("ELOOP", e.errnoName());
    }

    @Test
    void lockShouldBeExclusiveUntilTheHolderCloses() {
        Path path = dir.resolve("locked");
        NativeFile holder = NativeFile.create(path);
        try (NativeFile other = NativeFile.open(path)) {
            assertTrue(holder.tryLockExclusive());
            assertFalse(other.tryLockExclusive());
            holder.close();
            holder.close();
            assertTrue(other.tryLockExclusive());
        } finally {
            holder.close();
        }
    }

    @Test
    void mappingShouldBeSharedBetweenTwoMappingsAndEndWithTheArena() {
        Path path = dir.resolve("shared");
        Arena b = Arena.ofConfined();
        try (NativeFile file = NativeFile.create(path); Arena a = Arena.ofShared()) {
            file.setSize(8192);
            assertEquals(8192, file.size());
            MemorySegment one = file.map(8192, a, false);
            MemorySegment two = file.map(8192, b, true);
            assertTrue(NativeMemory.populateWrite(one, 0, 8192));
            one.set(JAVA_LONG, 4096, 0x1234_5678_9abc_def0L);
            assertEquals(0x1234_5678_9abc_def0L, two.get(JAVA_LONG, 4096));
            b.close();
            assertThrows(IllegalStateException.class, () -> two.get(JAVA_LONG, 0));
            assertEquals(0x1234_5678_9abc_def0L, one.get(JAVA_LONG, 4096));
        } finally {
            if (b.scope().isAlive()) {
                b.close();
            }
        }
    }

    @Test
    void mmapFailureShouldNameTheCallItsArgumentsAndTheErrno() {
        Path path = dir.resolve("huge");
        try (NativeFile file = NativeFile.create(path); Arena arena = Arena.ofConfined()) {
            // 2^62 bytes exceeds any user address space: mmap fails before anything is allocated.
            NativeCallException e = assertThrows(NativeCallException.class, () -> file.map(1L << 62, arena, false));
            assertTrue(e.getMessage().matches("mmap\\(addr=NULL, length=4611686018427387904, "
                    + "prot=PROT_READ\\|PROT_WRITE, flags=MAP_SHARED, fd=\\d+ path=" + path
                    + ", offset=0\\) failed: E[A-Z]+\\(\\d+\\) .*"),
                    e.getMessage());
            assertThrows(MemFabricException.class, () -> file.map(0, arena, false));
        }
    }

    @Test
    void populateShouldRejectMisalignedRangesAndSplitLargeOnes() throws Exception {
        Path path = dir.resolve("populate");
        long size = 3 * NativeMemory.MIN_PARALLEL_CHUNK_BYTES / 2 + 4096;
        try (NativeFile file = NativeFile.create(path); Arena arena = Arena.ofConfined()) {
            file.setSize(size);
            MemorySegment segment = file.map(size, arena, false);
            MemFabricException misaligned = assertThrows(MemFabricException.class,
                    () -> NativeMemory.populateWrite(segment, 100, 4096));
            assertEquals(ErrorCode.INVALID_PARAM, misaligned.code());
            assertThrows(MemFabricException.class, () -> NativeMemory.populateWrite(segment, 0, size + 1));
            assertTrue(NativeMemory.populate(segment, 4, Thread.ofPlatform().name("populate-test").factory()));
            segment.set(JAVA_LONG, size - 8, 42L);
            assertEquals(42L, segment.get(JAVA_LONG, size - 8));
        }
    }
}
