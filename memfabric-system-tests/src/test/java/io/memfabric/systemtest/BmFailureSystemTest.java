package io.memfabric.systemtest;

import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.memfabric.systemtest.BmMembershipSystemTest.awaitLoop;
import static io.memfabric.systemtest.BmMembershipSystemTest.probe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code kill -9} of a rank in the middle of copies: the survivors' copies between themselves keep working and verify
 * (a wrong byte fails their JVMs), their copies to the dead rank fail with PEER_UNAVAILABLE within a generous bound of
 * the kill, and the dead rank's slot files are removed. A new process then takes the dead rank's place and is
 * reachable again.
 */
@Timeout(180)
class BmFailureSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    /** Generous: the store sees the disconnect at once; a missed-heartbeat detection would take 3 periods. */
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(15);

    private String testName;

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
    }

    @Test
    void shouldEvictAKilledRankWhileTheSurvivorsKeepCopying() throws Exception {
        shouldEvictAKilledRank(Map.of());
    }

    @Test
    void shouldEvictAKilledRankOnAnotherHostOverTcp() throws Exception {
        shouldEvictAKilledRank(Map.of("memfabric.copy.force.route", "tcp"));
    }

    private void shouldEvictAKilledRank(Map<String, String> properties) throws Exception {
        try (BmCluster cluster = BmCluster.withStore(testName, HEARTBEAT)) {
            RankProcess[] ranks = new RankProcess[3];
            for (int r = 0; r < 3; r++) {
                String targets = r == 0 ? "1,2" : r == 1 ? "0,2" : "0,1";
                Map<String, String> props = new java.util.HashMap<>(properties);
                props.put(BmRankMain.RANK_PROP, Integer.toString(r));
                ranks[r] = cluster.start("rank-" + r, props, "3", "loop", "3", targets);
            }
            long[] before = new long[3];
            for (int r = 0; r < 3; r++) {
                ranks[r].awaitLine(Pattern.compile("^joined rank=" + r + " members=0,1,2$"), WAIT);
                before[r] = awaitLoop(ranks[r], 0, 3);
            }
            assertTrue(cluster.slotFiles().stream().anyMatch(f -> f.contains("-r2-")), cluster.slotFiles().toString());

            long killedNs = System.nanoTime();
            ranks[2].kill();
            for (int r = 0; r < 2; r++) {
                ranks[r].awaitLine(Pattern.compile("^lost 2 code=PEER_UNAVAILABLE "), DETECTION_BOUND);
            }
            long detectedMs = (System.nanoTime() - killedNs) / 1_000_000;
            for (int r = 0; r < 2; r++) {
                assertEquals("code=PEER_UNAVAILABLE", probe(ranks[r], 2), "rank " + r + " after rank 2 died");
                // The survivors go on copying between themselves, verifying every byte, now as two members.
                awaitLoop(ranks[r], before[r], 2);
                assertEquals("ok", probe(ranks[r], 1 - r), "rank " + r + " to the other survivor");
            }
            awaitNoSlotFilesOf(cluster, "-r2-");

            // A new process takes the dead rank's place, joins, and is reachable again.
            Map<String, String> props = new java.util.HashMap<>(properties);
            props.put(BmRankMain.RANK_PROP, "2");
            RankProcess replacement = cluster.start("rank-2-replacement", props, "3", "joiner", "3");
            replacement.awaitLine(Pattern.compile("^copies ok round=1 members=0,1,2$"), WAIT);
            for (int r = 0; r < 2; r++) {
                assertEquals("ok", probe(ranks[r], 2), "rank " + r + " to the replacement of rank 2");
            }
            replacement.send("close");
            assertEquals(0, replacement.exitCode(WAIT), replacement.name());
            for (int r = 0; r < 2; r++) {
                ranks[r].send("stop");
                ranks[r].awaitLine(Pattern.compile("^loop done iterations=\\d+$"), WAIT);
                assertEquals(0, ranks[r].exitCode(WAIT), ranks[r].name() + " verified every copy");
            }
            System.out.println(testName + ": copies to the killed rank failed within " + detectedMs + " ms");
        }
    }

    /** The survivors remove the files once the dead process's lock is gone; wait for that with a deadline. */
    private static void awaitNoSlotFilesOf(BmCluster cluster, String marker) throws InterruptedException {
        long deadline = System.nanoTime() + DETECTION_BOUND.toNanos();
        List<String> files = cluster.slotFiles();
        while (files.stream().anyMatch(f -> f.contains(marker))) {
            if (System.nanoTime() - deadline > 0) {
                fail("slot files of the killed rank are still there: " + files);
            }
            Thread.sleep(50);
            files = cluster.slotFiles();
        }
    }
}
