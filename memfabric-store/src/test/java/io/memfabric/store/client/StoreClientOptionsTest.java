package io.memfabric.store.client;

import io.memfabric.error.ConfigurationException;
import io.memfabric.store.StoreUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Defaults, precedence and validation of {@link StoreClientOptions}. */
@Timeout(10)
class StoreClientOptionsTest {
    private static final StoreUrl URL = StoreUrl.parse("tcp://127.0.0.1:7000");

    @AfterEach
    void clearProperties() {
        System.clearProperty(StoreClientOptions.REQUEST_TIMEOUT_PROP);
        System.clearProperty(StoreClientOptions.MAX_BLOCKING_CONNECTIONS_PROP);
        System.clearProperty(StoreClientOptions.TLS_CERTIFICATE_FILE_PROP);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        StoreClientOptions options = StoreClientOptions.builder(URL).build();
        assertEquals(URL, options.url());
        assertEquals(StoreClientOptions.REQUEST_TIMEOUT_DEFAULT, options.requestTimeout());
        assertEquals(Duration.ofSeconds(120), options.requestTimeout());
        assertEquals(Duration.ofSeconds(60), options.connectTimeout());
        assertEquals(Duration.ofMillis(50), options.connectBackoffMin());
        assertEquals(Duration.ofSeconds(1), options.connectBackoffMax());
        assertEquals(Duration.ofSeconds(2), options.heartbeatPeriod());
        assertEquals(64, options.maxBlockingConnections());
        assertEquals(64L << 20, options.maxValueBytes());
        assertTrue(options.tls().isEmpty());
        assertTrue(options.authSecret().isEmpty());
        Thread io = options.ioThreadFactory().newThread(() -> { });
        Thread callbacks = options.callbackThreadFactory().newThread(() -> { });
        assertEquals(StoreClientOptions.IO_THREAD_NAME, io.getName());
        assertEquals(StoreClientOptions.CALLBACK_THREAD_NAME, callbacks.getName());
        assertTrue(io.isDaemon() && callbacks.isDaemon());
    }

    @Test
    void aSystemPropertyOverridesTheDefaultAndABuilderCallOverridesTheProperty() {
        System.setProperty(StoreClientOptions.REQUEST_TIMEOUT_PROP, "7s");
        assertEquals(Duration.ofSeconds(7), StoreClientOptions.builder(URL).build().requestTimeout());
        assertEquals(Duration.ofSeconds(3),
                StoreClientOptions.builder(URL).requestTimeout(Duration.ofSeconds(3)).build().requestTimeout());
    }

    @Test
    void anUnparsablePropertyFailsNamingKeyValueAndSource() {
        System.setProperty(StoreClientOptions.MAX_BLOCKING_CONNECTIONS_PROP, "many");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> StoreClientOptions.builder(URL));
        assertTrue(e.getMessage().contains(StoreClientOptions.MAX_BLOCKING_CONNECTIONS_PROP + "=many"),
                e.getMessage());
        assertTrue(e.getMessage().contains("system property"), e.getMessage());
    }

    @Test
    void aTlsCertificateWithoutACaIsRefused() {
        System.setProperty(StoreClientOptions.TLS_CERTIFICATE_FILE_PROP, "/tmp/cert.pem");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> StoreClientOptions.builder(URL));
        assertTrue(e.getMessage().contains(StoreClientOptions.TLS_CA_FILE_PROP), e.getMessage());
    }

    @Test
    void badValuesAreRejectedNamingTheSettingAndWhatWasExpected() {
        assertMessage("requestTimeout=PT0S", () -> StoreClientOptions.builder(URL).requestTimeout(Duration.ZERO));
        assertMessage("requestTimeout=null", () -> StoreClientOptions.builder(URL).requestTimeout(null));
        assertMessage("connectTimeout=PT-1S",
                () -> StoreClientOptions.builder(URL).connectTimeout(Duration.ofSeconds(-1)));
        assertMessage("(expected: max >= min)", () -> StoreClientOptions.builder(URL)
                .connectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertMessage("heartbeatPeriod=PT0.001S",
                () -> StoreClientOptions.builder(URL).heartbeatPeriod(Duration.ofMillis(1)));
        assertMessage("maxBlockingConnections=0 (expected: 1..1024)",
                () -> StoreClientOptions.builder(URL).maxBlockingConnections(0));
        assertMessage("maxValueBytes=0", () -> StoreClientOptions.builder(URL).maxValueBytes(0));
        assertMessage("authSecret=<0 chars>", () -> StoreClientOptions.builder(URL).authSecret(""));
    }

    @Test
    void toStringNeverShowsTheSecret() {
        String text = StoreClientOptions.builder(URL).authSecret("hunter2").build().toString();
        assertFalse(text.contains("hunter2"), text);
        assertTrue(text.contains("authSecret=<set>"), text);
    }

    private static void assertMessage(String expected, java.util.function.Supplier<StoreClientOptions.Builder> b) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> b.get().build());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
