package io.memfabric.cli;

import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.copy.Route;
import io.memfabric.memory.MemoryInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code memfabric info} names every route with its verdict and why. */
@Timeout(60)
class InfoCommandTest {
    @Test
    void infoListsEveryRouteWithItsVerdictAndWhy() {
        CliRun run = CliRun.of("info");
        assertEquals(0, run.exit(), run.err());
        for (String route : List.of("shm", "cma", "tcp")) {
            String row = run.outLines().stream().filter(l -> l.startsWith("route " + route + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no route " + route + " row in:\n" + run.out()));
            assertTrue(row.matches("route " + route + " +(usable|unusable) - .{10,}"), row);
        }
        assertTrue(run.outLines().stream().anyMatch(l -> l.startsWith("route order        shm, cma, tcp")),
                run.out());
        assertTrue(run.outLines().stream().noneMatch(l -> l.startsWith("cma ")), "cma once, as a route: " + run.out());
        for (String fact : List.of("jdk ", "host id ", "shared memory ", "store max value ")) {
            assertTrue(run.outLines().stream().anyMatch(l -> l.startsWith(fact)), fact + " missing: " + run.out());
        }
    }

    @Test
    void shmAndTcpWorkOnThisHost() {
        List<RouteProbe.Verdict> verdicts = RouteProbe.probeAll(CopyEngineOptions.builder().build(),
                MemoryInfo.collect());
        assertEquals(List.of(Route.SHM, Route.CMA, Route.TCP), verdicts.stream().map(RouteProbe.Verdict::route)
                .toList());
        RouteProbe.Verdict shm = verdicts.get(0);
        assertTrue(shm.usable(), shm.describe());
        assertTrue(shm.reason().startsWith("created a 4K slot in "), shm.reason());
        RouteProbe.Verdict tcp = verdicts.get(2);
        assertTrue(tcp.usable(), tcp.describe());
        assertTrue(tcp.reason().contains("only ranks of this host reach it"), "the default binds loopback: "
                + tcp.reason());
    }

    @Test
    void aRouteTurnedOffBySettingsSaysWhich() {
        List<RouteProbe.Verdict> verdicts = RouteProbe.probeAll(CopyEngineOptions.builder()
                .routes(List.of(Route.TCP)).build(), MemoryInfo.collect());
        RouteProbe.Verdict shm = verdicts.get(0);
        assertFalse(shm.usable());
        assertTrue(shm.reason().startsWith("turned off by memfabric.copy.routes=tcp (it would be usable - "),
                shm.reason());
    }
}
