package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class CopyEngineOptionsTest {
    @Test
    void defaultsShouldMatchTheDocumentation() {
        CopyEngineOptions o = CopyEngineOptions.builder().build();
        assertEquals(List.of(Route.SHM, Route.CMA, Route.TCP), o.routes());
        assertNull(o.forceRoute());
        assertEquals(new InetSocketAddress("127.0.0.1", 0), o.dataListen());
        assertEquals(CopyEngineOptions.TCP_CONNECTIONS_DEFAULT, o.tcpConnectionsPerPeer());
        assertEquals(CopyEngineOptions.SHM_COPY_THREADS_DEFAULT, o.shmCopyThreads());
        assertEquals(CopyEngineOptions.PEER_TIMEOUT_DEFAULT, o.peerTimeout());
    }

    @Test
    void propertiesShouldFillTheBuilderAndBadValuesShouldBeNamed() {
        System.setProperty(CopyEngineOptions.ROUTES_PROP, "tcp, shm");
        System.setProperty(CopyEngineOptions.FORCE_ROUTE_PROP, "CMA");
        try {
            CopyEngineOptions o = CopyEngineOptions.builder().build();
            assertEquals(List.of(Route.TCP, Route.SHM), o.routes());
            assertEquals(Route.CMA, o.forceRoute());
            System.setProperty(CopyEngineOptions.ROUTES_PROP, "shm,rdma");
            ConfigurationException e = assertThrows(ConfigurationException.class, CopyEngineOptions::builder);
            assertTrue(e.getMessage().contains("memfabric.copy.routes=shm,rdma"), e.getMessage());
        } finally {
            System.clearProperty(CopyEngineOptions.ROUTES_PROP);
            System.clearProperty(CopyEngineOptions.FORCE_ROUTE_PROP);
        }
    }

    @Test
    void buildShouldRejectBadValues() {
        assertThrows(ConfigurationException.class, () -> CopyEngineOptions.builder().routes(List.of()).build());
        assertThrows(ConfigurationException.class,
                () -> CopyEngineOptions.builder().routes(List.of(Route.TCP, Route.TCP)).build());
        assertThrows(ConfigurationException.class, () -> CopyEngineOptions.builder().tcpConnectionsPerPeer(0).build());
        assertThrows(ConfigurationException.class, () -> CopyEngineOptions.builder().shmCopyThreads(65).build());
        assertThrows(ConfigurationException.class, () -> CopyEngineOptions.builder().tcpStripeBytes(100).build());
        assertThrows(ConfigurationException.class,
                () -> CopyEngineOptions.builder().peerTimeout(Duration.ZERO).build());
        assertThrows(ConfigurationException.class,
                () -> CopyEngineOptions.builder().spin(Duration.ofSeconds(1)).build());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> CopyEngineOptions.builder().asyncThreads(0).build());
        assertTrue(e.getMessage().startsWith("asyncThreads=0"), e.getMessage());
        assertEquals(Route.TCP, Route.parse(" Tcp "));
        assertThrows(ConfigurationException.class, () -> Route.parse("rdma"));
        assertEquals("cma", Route.CMA.wireName());
    }
}
