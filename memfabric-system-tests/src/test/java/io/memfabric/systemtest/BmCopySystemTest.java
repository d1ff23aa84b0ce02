package io.memfabric.systemtest;

import io.memfabric.memory.MemoryConfig;
import io.memfabric.testsupport.FreePorts;
import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every copy direction between rank JVMs, with checksums, over each route: shm (the default on one host), forced cma,
 * forced tcp, and tcp chosen by itself between ranks on "different hosts" ({@code memfabric.host.id} per process).
 * Each rank runs {@link BmRankMain}'s copy mode: every direction against its own and a remote rank's HOST and DEVICE
 * slots at odd sizes and offsets, the all-path chain, batches, async copies, and a cross check of what another rank
 * wrote into its slots by direct reads.
 */
@Timeout(180)
class BmCopySystemTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration HEARTBEAT = Duration.ofMillis(500);

    private String testName;

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
    }

    @Test
    void shouldCopyInEveryDirectionOverShmAmongThreeRanks() throws Exception {
        run(3, "shm", rank -> Map.of());
    }

    @Test
    void shouldCopyInEveryDirectionOverForcedCma() throws Exception {
        run(2, "cma", rank -> Map.of("memfabric.copy.force.route", "cma"));
    }

    @Test
    void shouldCopyInEveryDirectionOverForcedTcp() throws Exception {
        run(2, "tcp", rank -> Map.of("memfabric.copy.force.route", "tcp"));
    }

    @Test
    void shouldCopyInEveryDirectionBetweenDifferentHosts() throws Exception {
        run(2, "tcp", rank -> Map.of(MemoryConfig.HOST_ID_PROP, "bm-host-" + rank));
    }

    private void run(int worldSize, String route, IntFunction<Map<String, String>> properties) throws Exception {
        try (BmCluster cluster = BmCluster.withStore(testName, HEARTBEAT)) {
            List<RankProcess> ranks = new ArrayList<>();
            for (int i = 0; i < worldSize; i++) {
                ranks.add(cluster.start("rank-" + i, properties.apply(i), Integer.toString(worldSize), "copy",
                        Integer.toString(worldSize)));
            }
            verify(ranks, worldSize);
            for (RankProcess p : ranks) {
                for (String line : p.lines()) {
                    if (line.startsWith("route to ")) {
                        assertTrue(line.matches("route to \\d+: " + route + "\\b.*"), p.name() + ": " + line
                                + " (expected: route " + route + ")");
                    }
                }
            }
        }
    }

    /** Ranks take their ranks in arrival order; each checks its own data, the test checks every milestone. */
    private static void verify(List<RankProcess> ranks, int worldSize) {
        boolean[] seen = new boolean[worldSize];
        for (RankProcess p : ranks) {
            p.awaitLine(Pattern.compile("^done$"), WAIT);
            int rank = Integer.parseInt(p.awaitLine(Pattern.compile("^ready rank=(\\d+)"), WAIT).group(1));
            seen[rank] = true;
            Matcher checks = p.awaitLine(Pattern.compile("^directions ok checks=(\\d+)$"), WAIT);
            int expected = 5 * (worldSize >= 3 ? 11 : 10);
            assertEquals(expected, Integer.parseInt(checks.group(1)), p.name());
            p.awaitLine(Pattern.compile("^chain ok edges=24 md5=[0-9a-f]{32} "), WAIT);
            p.awaitLine(Pattern.compile("^batch ok$"), WAIT);
            p.awaitLine(Pattern.compile("^async ok$"), WAIT);
            p.awaitLine(Pattern.compile("^cross ok from=" + Math.floorMod(rank - 1, worldSize) + "$"), WAIT);
            assertEquals(0, p.exitCode(WAIT), p.name());
        }
        for (int r = 0; r < worldSize; r++) {
            assertTrue(seen[r], "rank " + r + " was taken");
        }
    }

    @Test
    void shouldCopyWithTheStoreStartedByRankZero() throws Exception {
        String url = "tcp://127.0.0.1:" + FreePorts.next();
        try (BmCluster cluster = BmCluster.withoutStore(testName, url, HEARTBEAT)) {
            List<RankProcess> ranks = new ArrayList<>();
            for (int rank = 1; rank >= 0; rank--) {
                // Rank 1 first: it finds no store and keeps trying until rank 0 has started it.
                ranks.add(0, cluster.start("rank-" + rank, Map.of(BmRankMain.RANK_PROP, Integer.toString(rank)),
                        "2", "copy", "2"));
            }
            RankProcess zero = ranks.get(0);
            zero.awaitLine(Pattern.compile("^ready rank=0 store=true$"), WAIT);
            ranks.get(1).awaitLine(Pattern.compile("^ready rank=1 store=false$"), WAIT);
            // Rank 0 hosts the store: it closes last, once rank 1 is gone.
            RankProcess one = ranks.get(1);
            one.awaitLine(Pattern.compile("^done$"), WAIT);
            assertEquals(0, one.exitCode(WAIT), one.name());
            zero.awaitLine(Pattern.compile("^done$"), WAIT);
            zero.send("close");
            verify(ranks, 2);
        }
    }
}
