package io.memfabric.config;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ConfigTest {
    private static final String KEY = "memfabric.test.config.value";

    @AfterEach
    void clearProperty() {
        System.clearProperty(KEY);
    }

    @Test
    void shouldMapPropertyNamesToEnvironmentNamesMechanically() {
        assertEquals("MEMFABRIC_STORE_TIMEOUT", Config.envName("memfabric.store.timeout"));
        assertEquals("MEMFABRIC_BM_LOCAL_HOST_SIZE", Config.envName("memfabric.bm.local-host.size"));
    }

    @Test
    void shouldPreferSystemPropertyOverEnvironmentOverDefault() {
        Map<String, String> env = Map.of("MEMFABRIC_TEST_CONFIG_VALUE", "from-env");
        assertEquals(Config.Source.ENVIRONMENT, Config.raw(KEY, env).source());
        assertEquals("from-env", Config.raw(KEY, env).value());
        System.setProperty(KEY, " from-property ");
        assertEquals(Config.Source.SYSTEM_PROPERTY, Config.raw(KEY, env).source());
        assertEquals("from-property", Config.raw(KEY, env).value());
        System.clearProperty(KEY);
        assertEquals(Config.Source.DEFAULT, Config.raw(KEY, Map.of()).source());
        assertNull(Config.raw(KEY, Map.of()).value());
    }

    @Test
    void shouldParseSizesWithSuffixes() {
        assertEquals(4096, Config.parseSize("4096"));
        assertEquals(64L << 10, Config.parseSize("64k"));
        assertEquals(256L << 20, Config.parseSize("256M"));
        assertEquals(64L << 20, Config.parseSize("64MiB"));
        assertEquals(1L << 30, Config.parseSize("1g"));
        assertEquals(2L << 40, Config.parseSize("2t"));
        assertThrows(IllegalArgumentException.class, () -> Config.parseSize("12x"));
        assertThrows(IllegalArgumentException.class, () -> Config.parseSize(""));
        assertThrows(IllegalArgumentException.class, () -> Config.parseSize("-1"));
        assertThrows(IllegalArgumentException.class, () -> Config.parseSize("9999999999t"));
    }

    @Test
    void shouldParseDurationsWithSuffixes() {
        assertEquals(Duration.ofNanos(100), Config.parseDuration("100ns"));
        assertEquals(Duration.ofNanos(20_000), Config.parseDuration("20us"));
        assertEquals(Duration.ofMillis(500), Config.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(120), Config.parseDuration("120s"));
        assertEquals(Duration.ofMinutes(5), Config.parseDuration("5m"));
        assertEquals(Duration.ofHours(1), Config.parseDuration("1h"));
        assertEquals(Duration.ofMillis(250), Config.parseDuration("250"));
        assertEquals(Duration.ofSeconds(2), Config.parseDuration("PT2S"));
        assertThrows(IllegalArgumentException.class, () -> Config.parseDuration("12x"));
        assertThrows(IllegalArgumentException.class, () -> Config.parseDuration("-5s"));
    }

    @Test
    void shouldNameKeyValueAndSourceWhenASettingDoesNotParse() {
        System.setProperty(KEY, "12x");
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Config.duration(KEY, Duration.ofSeconds(1)));
        assertEquals(ErrorCode.INVALID_PARAM, e.code());
        assertEquals(KEY + "=12x (system property): not a duration (expected: e.g. 120s)", e.getMessage());
    }

    @Test
    void shouldReturnDefaultsWhenUnset() {
        assertEquals(7, Config.integer(KEY, 7));
        assertEquals(64L << 20, Config.size(KEY, 64L << 20));
        assertTrue(Config.bool(KEY, true));
        assertEquals("d", Config.string(KEY, "d"));
    }

    @Test
    void shouldParseBooleansStrictly() {
        System.setProperty(KEY, "off");
        assertFalse(Config.bool(KEY, true));
        System.setProperty(KEY, "maybe");
        assertThrows(ConfigurationException.class, () -> Config.bool(KEY, true));
    }

    @Test
    void shouldCheckRangesNamingTheValue() {
        assertEquals(5, Config.requireRange("worldSize", 5, 1, 1024));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Config.requireRange("worldSize", 0, 1, 1024));
        assertEquals("worldSize=0 (expected: 1..1024)", e.getMessage());
        assertThrows(ConfigurationException.class, () -> Config.requirePositive("timeout", Duration.ZERO));
    }
}
