package io.memfabric.systemtest;

import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A third rank joins a running pair, leaves, and rejoins with the same rank. The pair copies to each other and
 * verifies every byte the whole time (a wrong byte fails its JVM), and the test checks that their copies kept running
 * across each change. Copies to the third rank work while it is a member, and fail with PEER_UNAVAILABLE while it is
 * not.
 */
@Timeout(180)
class BmMembershipSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration HEARTBEAT = Duration.ofMillis(500);

    private String testName;

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
    }

    @Test
    void shouldLetAThirdRankJoinLeaveAndRejoinWhileThePairKeepsCopying() throws Exception {
        try (BmCluster cluster = BmCluster.withStore(testName, HEARTBEAT)) {
            RankProcess zero = cluster.start("rank-0", Map.of(BmRankMain.RANK_PROP, "0"), "3", "loop", "2", "1");
            RankProcess one = cluster.start("rank-1", Map.of(BmRankMain.RANK_PROP, "1"), "3", "loop", "2", "0");
            RankProcess[] pair = {zero, one};
            long[] before = new long[2];
            for (int i = 0; i < 2; i++) {
                pair[i].awaitLine(Pattern.compile("^joined rank=" + i + " members=0,1$"), WAIT);
                before[i] = awaitLoop(pair[i], 0, 2);
            }

            RankProcess two = cluster.start("rank-2", Map.of(BmRankMain.RANK_PROP, "2"), "3", "joiner", "3");
            two.awaitLine(Pattern.compile("^joined rank=2 members=0,1,2$"), WAIT);
            two.awaitLine(Pattern.compile("^copies ok round=1 members=0,1,2$"), WAIT);
            long[] joined = new long[2];
            for (int i = 0; i < 2; i++) {
                // The pair kept copying (and verifying) through the join, and now sees three members.
                joined[i] = awaitLoop(pair[i], before[i], 3);
                assertEquals("ok", probe(pair[i], 2), "rank " + i + " copies to the joiner");
            }

            two.send("leave");
            two.awaitLine(Pattern.compile("^left$"), WAIT);
            long[] left = new long[2];
            for (int i = 0; i < 2; i++) {
                assertEquals("code=PEER_UNAVAILABLE", probe(pair[i], 2), "rank " + i + " after rank 2 left");
                left[i] = awaitLoop(pair[i], joined[i], 2);
            }

            two.send("join");
            two.awaitLine(Pattern.compile("^copies ok round=2 members=0,1,2$"), WAIT);
            for (int i = 0; i < 2; i++) {
                assertEquals("ok", probe(pair[i], 2), "rank " + i + " copies to the rejoined rank");
                awaitLoop(pair[i], left[i], 3);
            }

            two.send("close");
            assertEquals(0, two.exitCode(WAIT), two.name());
            for (RankProcess p : pair) {
                p.send("stop");
                Matcher done = p.awaitLine(Pattern.compile("^loop done iterations=(\\d+)$"), WAIT);
                assertTrue(Long.parseLong(done.group(1)) > 0, p.name());
                assertEquals(0, p.exitCode(WAIT), p.name() + " verified every copy");
            }
        }
    }

    /** @return the iteration count of the first loop line after {@code after} iterations with {@code members}. */
    static long awaitLoop(RankProcess p, long after, int members) {
        Pattern pattern = Pattern.compile("^loop (\\d+) members=" + members + "$");
        long deadline = System.nanoTime() + WAIT.toNanos();
        int from = 0;
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            Matcher m = p.awaitLine(pattern, from, left);
            long iterations = Long.parseLong(m.group(1));
            if (iterations > after) {
                return iterations;
            }
            from = indexOfLine(p, m.group()) + 1;
        }
    }

    private static int indexOfLine(RankProcess p, String line) {
        return p.lines().indexOf(line);
    }

    /** Asks a looping rank to copy to {@code target} once; returns "ok" or "code=...". */
    static String probe(RankProcess p, int target) {
        int from = p.lines().size();
        p.send("probe " + target);
        return p.awaitLine(Pattern.compile("^probe " + target + " (.+)$"), from, WAIT).group(1);
    }
}
