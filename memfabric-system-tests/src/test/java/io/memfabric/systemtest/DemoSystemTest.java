package io.memfabric.systemtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code memfabric demo} end to end: a store and real rank JVMs run the BmCpp workflow and verify every byte; the
 * command's exit code is 0 only when every rank verified its data, and the ranks used the route asked for.
 */
@Timeout(180)
class DemoSystemTest {
    @Test
    void demoVerifiesEveryByteOnTheDefaultRoute() {
        CliRun run = CliRun.of("demo", "--ranks", "3", "--size", "16m", "--rank-heap", "96m");
        assertEquals(0, run.exit(), run.toString());
        assertEveryRankVerified(run, 3);
        for (int r = 0; r < 3; r++) {
            assertTrue(run.out().contains("rank " + r + ": joined; routes: "), run.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cma", "tcp"})
    void demoVerifiesEveryByteOnAForcedRoute(String route) {
        CliRun run = CliRun.of("demo", "--ranks", "2", "--size", "8m", "--route", route, "--rank-heap", "96m");
        assertEquals(0, run.exit(), run.toString());
        assertEveryRankVerified(run, 2);
        assertTrue(run.out().contains("route " + route + ", store tcp://127.0.0.1:"), run.toString());
        assertTrue(run.out().contains("rank 0: joined; routes: r1=" + route), run.toString());
        assertTrue(run.out().contains("rank 1: joined; routes: r0=" + route), run.toString());
    }

    @Test
    void demoRefusesBadArgumentsWithUsageExitCodeBeforeStartingAnything() {
        for (List<String> args : List.of(List.of("demo", "--ranks", "1"), List.of("demo", "--size", "1000"),
                List.of("demo", "--route", "rdma"))) {
            CliRun run = CliRun.of(args.toArray(new String[0]));
            assertEquals(2, run.exit(), run.toString());
            assertEquals("", run.out(), "no store, no rank: " + run);
            assertEquals(1, run.errLines().size(), run.toString());
            assertTrue(run.err().startsWith("memfabric demo: " + (args.get(1).equals("--route")
                    ? "Invalid value for option '--route'" : args.get(1) + "=" + args.get(2))), run.toString());
        }
    }

    /** Every rank ran both checks with no wrong byte, and the demo says so. */
    private static void assertEveryRankVerified(CliRun run, int ranks) {
        for (int r = 0; r < ranks; r++) {
            assertTrue(run.out().contains("  rank " + r + ": direct read of own HOST slot: OK"), run.toString());
            assertTrue(run.out().contains("  rank " + r + ": G2H of own DEVICE slot: OK"), run.toString());
        }
        assertTrue(run.outLines().contains("memfabric demo: OK — every rank verified every byte"), run.toString());
        assertTrue(run.out().contains("H2G own DEVICE") && run.out().contains("(GB/s, 1 GB = 1e9 B)"),
                "the bandwidth table: " + run);
    }
}
