package io.memfabric.group;

import io.memfabric.error.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class GroupOptionsTest {

    @Test
    void shouldUseDocumentedDefaults() {
        GroupOptions options = GroupOptions.builder().build();
        assertEquals(GroupOptions.NAME_DEFAULT, options.name());
        assertEquals("mf/group/world/", options.namespace());
        assertEquals(GroupOptions.WORLD_SIZE_DEFAULT, options.worldSize());
        assertEquals(-1, options.rank());
        assertEquals(Duration.ofSeconds(120), options.operationTimeout());
    }

    @Test
    void shouldRejectBadValuesNamingThem() {
        assertMessage("worldSize=0", () -> GroupOptions.builder().worldSize(0).build());
        assertMessage("worldSize=1025", () -> GroupOptions.builder().worldSize(1025).build());
        assertMessage("rank=4", () -> GroupOptions.builder().worldSize(4).rank(4).build());
        assertMessage("name='a b'", () -> GroupOptions.builder().name("a b").build());
        assertMessage("namespace='x*'", () -> GroupOptions.builder().namespace("x*").build());
        assertMessage("operationTimeout=PT0S", () -> GroupOptions.builder().operationTimeout(Duration.ZERO).build());
    }

    @Test
    void shouldReadSystemProperty() {
        System.setProperty(GroupOptions.OPERATION_TIMEOUT_PROP, "750ms");
        try {
            assertEquals(Duration.ofMillis(750), GroupOptions.builder().build().operationTimeout());
            System.setProperty(GroupOptions.OPERATION_TIMEOUT_PROP, "12x");
            assertMessage("memfabric.group.operation.timeout=12x", GroupOptions::builder);
        } finally {
            System.clearProperty(GroupOptions.OPERATION_TIMEOUT_PROP);
        }
    }

    private static void assertMessage(String expected, Runnable action) {
        ConfigurationException e = assertThrows(ConfigurationException.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
