package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
@ResourceLock(Resources.SYSTEM_PROPERTIES)
class HostIdTest {
    @AfterEach
    void clearOverride() {
        System.clearProperty(MemoryConfig.HOST_ID_PROP);
    }

    @Test
    void shouldBeTheBootIdByDefault() throws Exception {
        if (System.getenv("MEMFABRIC_HOST_ID") == null) {
            assertEquals(Files.readString(HostId.BOOT_ID).trim(), HostId.current());
        }
        assertEquals(36, HostId.bootId().length());
    }

    @Test
    void propertyShouldOverrideTheBootId() {
        System.setProperty(MemoryConfig.HOST_ID_PROP, "host-a");
        assertEquals("host-a", HostId.current());
    }

    @Test
    void aBadOverrideShouldBeRejectedNamingKeyValueAndSource() {
        System.setProperty(MemoryConfig.HOST_ID_PROP, "host a");
        ConfigurationException e = assertThrows(ConfigurationException.class, HostId::current);
        assertEquals("memfabric.host.id=host a (system property): not a host id (expected: 1-128 of [A-Za-z0-9_.:-])",
                e.getMessage());
    }
}
