package io.memfabric.bm;

import io.memfabric.copy.Route;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Upstream's defaults and create-option rules (upstream-api §2.2, §2.3, §2.4, §11.1 item 1), in Java terms. */
@Timeout(30)
class OptionsTest {
    @AfterEach
    void clearProperties() {
        System.clearProperty(CreateOptions.LOCAL_HOST_SIZE_PROP);
        System.clearProperty(CreateOptions.MAX_HOST_SIZE_PROP);
        System.clearProperty(BigMemoryOptions.AUTO_RANKING_PROP);
        System.clearProperty(BigMemoryOptions.CONTROL_OPERATION_TIMEOUT_PROP);
    }

    @Test
    void shouldHaveUpstreamDefaults() {
        BigMemoryOptions options = BigMemoryOptions.defaults();
        assertEquals(Duration.ofSeconds(120), options.controlOperationTimeout());
        assertTrue(options.startConfigStoreServer());
        assertTrue(options.autoRanking());
        assertEquals(-1, options.rankId());
        assertEquals("default", options.fabricId());
        assertEquals(Duration.ofSeconds(120), BigMemoryOptions.CONTROL_OPERATION_TIMEOUT_DEFAULT);
    }

    @Test
    void shouldReadSystemPropertiesAndLetTheBuilderOverrideThem() {
        System.setProperty(BigMemoryOptions.AUTO_RANKING_PROP, "false");
        System.setProperty(BigMemoryOptions.CONTROL_OPERATION_TIMEOUT_PROP, "5s");
        ConfigurationException noRank = assertThrows(ConfigurationException.class, BigMemoryOptions::defaults);
        assertTrue(noRank.getMessage().contains("rankId=-1"), noRank.getMessage());
        BigMemoryOptions options = BigMemoryOptions.builder().rankId(3).build();
        assertFalse(options.autoRanking());
        assertEquals(Duration.ofSeconds(5), options.controlOperationTimeout());
        assertTrue(BigMemoryOptions.builder().autoRanking(true).build().autoRanking());

        System.setProperty(CreateOptions.LOCAL_HOST_SIZE_PROP, "2m");
        System.setProperty(CreateOptions.MAX_HOST_SIZE_PROP, "8m");
        CreateOptions create = CreateOptions.builder().build();
        assertEquals(2L << 20, create.localHostSize());
        assertEquals(8L << 20, create.maxHostSize());
        assertEquals(CreateOptions.LOCAL_DEVICE_SIZE_DEFAULT, create.localDeviceSize());
        assertEquals(CreateOptions.LOCAL_DEVICE_SIZE_DEFAULT, create.maxDeviceSize());
    }

    @Test
    void shouldRejectBadBigMemoryOptionsNamingTheValue() {
        assertInvalid("controlOperationTimeout=PT0S", () -> BigMemoryOptions.builder()
                .controlOperationTimeout(Duration.ZERO).build());
        assertInvalid("rankId=1024", () -> BigMemoryOptions.builder().rankId(1024).build());
        assertInvalid("rankId=-2", () -> BigMemoryOptions.builder().rankId(-2).build());
        assertInvalid("fabricId='a-b'", () -> BigMemoryOptions.builder().fabricId("a-b").build());
        assertInvalid("fabricId='null'", () -> BigMemoryOptions.builder().fabricId(null).build());
        assertInvalid("tcpConnectionsPerPeer=0", () -> BigMemoryOptions.builder()
                .copyEngine(b -> b.tcpConnectionsPerPeer(0)).build());
        assertEquals(Route.TCP, BigMemoryOptions.builder().copyEngine(b -> b.forceRoute(Route.TCP)).build()
                .copyEngineOptions().forceRoute());
    }

    @Test
    void shouldDefaultMaxSizesToLocalSizes() {
        CreateOptions options = CreateOptions.of(4096, 0);
        assertEquals(4096, options.maxHostSize());
        assertEquals(0, options.maxDeviceSize());
        assertEquals(4096, options.localSize(MemoryType.HOST));
        assertEquals(0, options.maxSize(MemoryType.DEVICE));
        CreateOptions strided = CreateOptions.builder().localHostSize(1).localDeviceSize(3).maxHostSize(1 << 20)
                .maxDeviceSize(1 << 21).build();
        assertEquals(1 << 20, strided.maxHostSize());
        assertEquals(1 << 21, strided.maxDeviceSize());
    }

    @Test
    void shouldEnforceUpstreamCreateRules() {
        assertInvalid("localHostSize=" + ((2L << 40) + 1), () -> CreateOptions.of((2L << 40) + 1, 0));
        assertInvalid("localDeviceSize=" + ((64L << 30) + 1), () -> CreateOptions.of(0, (64L << 30) + 1));
        assertInvalid("localHostSize=-1", () -> CreateOptions.of(-1, 0));
        assertInvalid("maxHostSize=100 (expected: >= localHostSize=200)", () -> CreateOptions.builder()
                .localHostSize(200).maxHostSize(100).build());
        assertInvalid("maxDeviceSize=100 (expected: >= localDeviceSize=200)", () -> CreateOptions.builder()
                .localDeviceSize(200).maxDeviceSize(100).build());
        assertInvalid("maxHostSize=0 and maxDeviceSize=0", () -> CreateOptions.of(0, 0));
        assertInvalid("maxHostSize=" + (AddressSpace.MAX_STRIDE_BYTES + 1), () -> CreateOptions.builder()
                .localHostSize(1).maxHostSize(AddressSpace.MAX_STRIDE_BYTES + 1).build());
        // The largest values are accepted.
        CreateOptions.builder().localHostSize(2L << 40).localDeviceSize(64L << 30)
                .maxHostSize(AddressSpace.MAX_STRIDE_BYTES).maxDeviceSize(AddressSpace.MAX_STRIDE_BYTES).build();
    }

    @Test
    void shouldMapCopyTypesToUpstreamCodes() {
        CopyType[] expected = {CopyType.L2G, CopyType.G2L, CopyType.G2H, CopyType.H2G, CopyType.L2GH, CopyType.GH2L,
            CopyType.GH2H, CopyType.H2GH, CopyType.G2G, CopyType.AUTO};
        for (int code = 0; code < expected.length; code++) {
            assertEquals(code, expected[code].code());
            assertEquals(expected[code], CopyType.ofCode(code));
        }
        assertInvalid("copy type code=10", () -> CopyType.ofCode(10));
        assertInvalid("copy type code=-1", () -> CopyType.ofCode(-1));
        assertTrue(CopyType.H2GH.requiresHostWindow());
        assertTrue(CopyType.GH2L.isLocalDestination());
        assertFalse(CopyType.G2G.isLocalSource());
    }

    static void assertInvalid(String fragment, Runnable call) {
        MemFabricException e = assertThrows(MemFabricException.class, call::run);
        assertEquals(ErrorCode.INVALID_PARAM, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
