package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import io.memfabric.nativeio.Patterns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class DeviceMemoryTest {
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
    void autoShouldSelectTheEmulatedDeviceWhenNoAcceleratorIsPresent() {
        DeviceMemory device = DeviceMemoryProvider.select("auto");
        assertEquals("emulated", device.name());
        assertTrue(device.isEmulated());
        assertTrue(device.isHostAccessible());
        assertEquals("emulated", DeviceMemoryProvider.select("emulated").name());
    }

    @Test
    void theEmulatedProviderShouldBeFoundThroughTheServiceLoader() {
        assertTrue(ServiceLoader.load(DeviceMemoryProvider.class).stream()
                .anyMatch(p -> p.type() == EmulatedDeviceMemoryProvider.class));
        DeviceMemoryProvider.Availability emulated = DeviceMemoryProvider.describeAll().getLast();
        assertEquals("emulated", emulated.provider());
        assertTrue(emulated.available());
        assertTrue(emulated.reason().contains("host shared memory"), emulated.reason());
    }

    @Test
    void anUnknownProviderShouldBeRejectedNamingTheChoices() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> DeviceMemoryProvider.select("cuda"));
        assertEquals("memfabric.device=cuda: no such provider (expected: auto or one of [emulated])", e.getMessage());
    }

    @Test
    void emulatedDeviceMemoryShouldBeSharedMemoryThatPeersCanMap() {
        DeviceMemory device = new EmulatedDeviceMemory(dir.options());
        MemoryRegion region = device.allocate("fab", "bm1", 4, 1 << 16);
        try (MemoryRegion mapped = device.open(region.descriptor())) {
            assertEquals(MemoryType.DEVICE, region.descriptor().type());
            assertTrue(region.descriptor().name().contains("-r4-device-"), region.descriptor().name());
            assertTrue(region.isOwner());
            assertFalse(mapped.isOwner());
            Patterns.fill(region.segment(), 21);
            assertEquals(-1, Patterns.firstMismatch(mapped.segment(), 21));
        } finally {
            region.close();
        }
        assertFalse(Files.exists(dir.path().resolve(region.descriptor().name())), "freed on close");
        assertTrue(region.isClosed());
    }

    @Test
    void theEmulatedDeviceShouldNotOpenHostSlots() {
        DeviceMemory device = new EmulatedDeviceMemory(dir.options());
        try (ShmSlot host = ShmSlot.create("fab", "bm1", 0, MemoryType.HOST, 4096, dir.options())) {
            assertThrows(ConfigurationException.class, () -> device.open(host.descriptor()));
        }
    }
}
