package io.memfabric.nativeio;

import io.memfabric.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(60)
class CrossMemoryAttachTest {
    private static final int CHILD_BYTES = 1 << 20;

    @Test
    void probeGivesAVerdictWithAReason() {
        CrossMemoryAttach.Probe probe = CrossMemoryAttach.probe();
        assertFalse(probe.reason().isBlank(), probe.toString());
        if (CrossMemoryAttach.readPtraceScope() == 3) {
            assertFalse(probe.usable(), probe.toString());
        }
        System.out.println("cma probe: " + probe);
    }

    @Test
    void shouldReadAndWriteOwnMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4096);
            MemorySegment b = arena.allocate(4096);
            Patterns.fill(a, 3);
            long pid = Processes.currentPid();
            assertEquals(4096, CrossMemoryAttach.tryRead(pid, b.address(), a.address(), 4096));
            assertEquals(-1, Patterns.firstMismatch(b, 3));
            Patterns.fill(b, 4);
            assertEquals(4096, CrossMemoryAttach.tryWrite(pid, b.address(), a.address(), 4096));
            assertEquals(-1, Patterns.firstMismatch(a, 4));
        }
    }

    @Test
    void tryReadShouldReturnNegativeErrnoInsteadOfThrowing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment local = arena.allocate(64);
            long self = Processes.currentPid();
            assertEquals(-Errno.ESRCH, CrossMemoryAttach.tryRead(999_999_999L, local.address(), local.address(), 64));
            assertEquals(-Errno.EFAULT, CrossMemoryAttach.tryRead(self, local.address(), 0x10, 64));
            assertEquals(-Errno.EINVAL, CrossMemoryAttach.tryRead(self, local.address(), local.address(), -1));
            assertEquals(-Errno.EINVAL, CrossMemoryAttach.tryWrite(0, local.address(), local.address(), 64));
            assertEquals(0, CrossMemoryAttach.tryWrite(self, local.address(), local.address(), 0));
        }
    }

    @Test
    void readFullyShouldNameTheCallTheAddressesAndTheErrno() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment local = arena.allocate(64);
            NativeCallException e = assertThrows(NativeCallException.class,
                    () -> CrossMemoryAttach.readFully(Processes.currentPid(), local, 0x10));
            assertEquals(Errno.EFAULT, e.errno());
            assertEquals(ErrorCode.ADDRESS_OUT_OF_RANGE, e.code());
            assertTrue(e.getMessage().contains("process_vm_readv(pid=" + Processes.currentPid()), e.getMessage());
            assertTrue(e.getMessage().contains("remote=0x10, length=64) after 0 bytes"), e.getMessage());
            assertTrue(e.getMessage().contains("EFAULT(14) Bad address"), e.getMessage());

            NativeCallException gone = assertThrows(NativeCallException.class,
                    () -> CrossMemoryAttach.writeFully(999_999_999L, local, local.address()));
            assertEquals(ErrorCode.PEER_UNAVAILABLE, gone.code());
            assertEquals("ESRCH", gone.errnoName());
        }
    }

    @Test
    void hotPathShouldNotAllocatePerCall() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(64);
            MemorySegment b = arena.allocate(64);
            long pid = Processes.currentPid();
            long sink = 0;
            for (int i = 0; i < 50_000; i++) {
                sink += CrossMemoryAttach.tryRead(pid, b.address(), a.address(), 64);
            }
            // Steady state: on a loaded machine the JIT may need longer than the warm-up to compile the call path, so
            // measure rounds of 10,000 calls until one is steady (at most 20 rounds); a per-call scratch allocation
            // (>= 48 bytes a call) never becomes steady.
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 20 && allocated >= 64 * 1024; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 10_000; i++) {
                    sink += CrossMemoryAttach.tryRead(pid, b.address(), a.address(), 64);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, sink % 64);
            assertTrue(allocated < 64 * 1024, "10000 calls allocated " + allocated + " bytes in every round");
        }
    }

    @Test
    void shouldReadAndWriteTheMemoryOfAnotherJvm() throws Exception {
        CrossMemoryAttach.Probe probe = CrossMemoryAttach.probe();
        assumeTrue(probe.usable(), "cma unusable here: " + probe.reason());
        try (ChildJvm child = ChildJvm.start("cma-child", CmaChild.class, List.of(),
                Integer.toString(CHILD_BYTES));
             Arena arena = Arena.ofConfined()) {
            String[] ready = child.awaitLine("READY ", Duration.ofSeconds(30)).split(" ");
            long pid = Long.parseLong(ready[1]);
            long remote = Long.parseLong(ready[2]);
            assertEquals(child.process().pid(), pid);
            MemorySegment local = arena.allocate(CHILD_BYTES);

            CrossMemoryAttach.readFully(pid, local, remote);
            assertEquals(-1, Patterns.firstMismatch(local, 1));

            Patterns.fill(local, 2);
            CrossMemoryAttach.writeFully(pid, local, remote);
            child.send("CHECK 2");
            assertEquals("OK", child.awaitLine("", Duration.ofSeconds(30)));
        }
    }
}
