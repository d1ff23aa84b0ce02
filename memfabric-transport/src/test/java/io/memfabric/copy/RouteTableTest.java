package io.memfabric.copy;

import io.memfabric.memory.MemoryType;
import io.memfabric.memory.SlotDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class RouteTableTest {
    private static final List<Route> ALL = List.of(Route.SHM, Route.CMA, Route.TCP);
    private static final String HERE = PeerDescriptorTest.HOST;

    private static RouteTable table(Route forced, boolean cma) {
        return new RouteTable(ALL, forced, HERE, cma, cma ? "cma ok" : "ptrace_scope=3 (no attach)");
    }

    private static PeerDescriptor peer(String host) {
        SlotDescriptor slot = new SlotDescriptor("shm", "memfabric-f-o-r3-host-p41234-t1", 1 << 20, MemoryType.HOST,
                3, 41234, host);
        return new PeerDescriptor(3, host, 41234, "127.0.0.1:40000", List.of(slot), List.of(0x7f0000000000L));
    }

    @Test
    void sameHostShouldPreferShmWithCmaAndTcpAsFallbacks() {
        RouteTable.Choice c = table(null, true).choose(peer(HERE));
        assertEquals(List.of(Route.SHM, Route.CMA, Route.TCP), c.candidates());
        assertEquals(Route.SHM, c.route());
        assertTrue(c.reason().startsWith("shm: same host"), c.reason());
        assertTrue(c.reason().contains("fallbacks cma,tcp"), c.reason());
    }

    @Test
    void anotherHostShouldTakeTcpAndSayWhyNotTheOthers() {
        RouteTable.Choice c = table(null, true).choose(peer("host-b"));
        assertEquals(List.of(Route.TCP), c.candidates());
        assertTrue(c.reason().contains("not shm: rank 3 is on host host-b"), c.reason());
        assertTrue(c.reason().contains("not cma: rank 3 is on host host-b"), c.reason());
    }

    @Test
    void forcedRoutesShouldBeTheOnlyCandidate() {
        for (Route route : Route.values()) {
            RouteTable.Choice c = table(route, true).choose(peer(HERE));
            assertEquals(List.of(route), c.candidates());
            assertTrue(c.reason().contains("(forced)"), c.reason());
        }
        RouteTable.Choice impossible = table(Route.SHM, true).choose(peer("host-b"));
        assertNull(impossible.route());
        assertTrue(impossible.reason().contains("no usable route"), impossible.reason());
    }

    @Test
    void cmaForbiddenByTheKernelShouldFallBackWithTheProbeReason() {
        RouteTable t = new RouteTable(List.of(Route.CMA, Route.TCP), null, HERE, false, "ptrace_scope=3 (no attach)");
        RouteTable.Choice c = t.choose(peer(HERE));
        assertEquals(List.of(Route.TCP), c.candidates());
        assertTrue(c.reason().contains("not cma: the kernel forbids it here: ptrace_scope=3"), c.reason());
        assertTrue(c.reason().contains("not shm: not in routes cma,tcp"), c.reason());
    }

    @Test
    void peersWithoutSlotAddressesShouldNotTakeCma() {
        SlotDescriptor slot = new SlotDescriptor("shm", "memfabric-f-o-r3-host-p41234-t1", 1 << 20, MemoryType.HOST,
                3, 41234, HERE);
        PeerDescriptor p = new PeerDescriptor(3, HERE, 41234, "127.0.0.1:40000", List.of(slot));
        RouteTable.Choice c = new RouteTable(List.of(Route.CMA, Route.TCP), null, HERE, true, "ok").choose(p);
        assertEquals(Route.TCP, c.route());
        assertTrue(c.reason().contains("publishes no slot address"), c.reason());
    }
}
