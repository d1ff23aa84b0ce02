package io.memfabric.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class MemoryInfoTest {
    @Test
    void shouldDescribeHostSharedMemoryDevicesAndCma() {
        MemoryInfo info = MemoryInfo.collect();
        assertEquals(HostId.current(), info.hostId());
        assertFalse(info.devices().isEmpty());
        List<String> lines = info.lines();
        lines.forEach(System.out::println);
        assertTrue(lines.getFirst().startsWith("host id: "));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("shared memory: " + MemoryConfig.shmDir() + " on ")));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("device emulated (priority 0): available - ")));
        assertTrue(lines.getLast().startsWith("cma (process_vm_readv/writev): "));
        if (info.shmMount().contains(" tmpfs ") || info.shmMount().startsWith("tmpfs")) {
            assertTrue(info.shmFreeBytes() > 0, info.toString());
        }
    }
}
