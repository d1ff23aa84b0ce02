package io.memfabric.systemtest;

import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Eight rank JVMs in one group: every rank must report the same result for every round, and that result must be what
 * the ranks sent (each rank derives every payload from round and rank, so it checks every element itself; the test
 * checks the digests). JVM flags are light: eight JVMs share two cores.
 */
@Timeout(180)
class GroupSystemTest {
    private static final int MEMBERS = 8;
    private static final int ROUNDS = 100;
    private static final Duration WAIT = Duration.ofSeconds(90);

    private StoreServer server;
    private String testName;

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
        server = StoreServer.start(StoreServerOptions.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .build());
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private List<RankProcess> startRanks(String mode, int rounds) {
        List<RankProcess> ranks = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            ranks.add(RankProcess.builder(GroupRankMain.class).testName(testName).name("rank-" + i)
                    .args(server.url().toString(), mode, Integer.toString(MEMBERS), Integer.toString(rounds), "2000")
                    .start());
        }
        return ranks;
    }

    /** @return the rank each process took, by process index. */
    private static int[] awaitDone(List<RankProcess> ranks) {
        int[] rankOf = new int[ranks.size()];
        for (int i = 0; i < ranks.size(); i++) {
            RankProcess p = ranks.get(i);
            p.awaitLine(Pattern.compile("^done$"), WAIT);
            assertEquals(0, p.exitCode(WAIT), p.name());
            Matcher m = p.awaitLine(Pattern.compile("ready rank=(\\d+)"), WAIT);
            rankOf[i] = Integer.parseInt(m.group(1));
        }
        return rankOf;
    }

    @Test
    void shouldAgreeOnEveryRoundOfBarrierAndAllGatherAcrossEightJvms() {
        List<RankProcess> ranks = startRanks("collectives", ROUNDS);
        try {
            awaitDone(ranks);
            int[] everyone = IntStream.range(0, MEMBERS).toArray();
            for (RankProcess p : ranks) {
                for (int round = 0; round < ROUNDS; round++) {
                    Matcher m = p.awaitLine(Pattern.compile("^round " + round + " digest=(\\w+)$"), WAIT);
                    assertEquals(GroupPayloads.expected("all", round, everyone), m.group(1),
                            p.name() + " round " + round);
                }
            }
        } finally {
            ranks.forEach(RankProcess::close);
        }
    }

    @Test
    void shouldRunSubGroupsByKeyAcrossEightJvms() {
        int rounds = 20;
        List<RankProcess> ranks = startRanks("sub", rounds);
        try {
            int[] rankOf = awaitDone(ranks);
            for (int i = 0; i < ranks.size(); i++) {
                int rank = rankOf[i];
                String parity = rank % 2 == 0 ? "even" : "odd";
                int[] sameParity = IntStream.range(0, MEMBERS).filter(r -> r % 2 == rank % 2).toArray();
                String half = rank < MEMBERS / 2 ? "first" : "second";
                int[] sameHalf = IntStream.range(0, MEMBERS).filter(r -> r < MEMBERS / 2 == rank < MEMBERS / 2)
                        .toArray();
                for (int round = 0; round < rounds; round++) {
                    assertEquals(GroupPayloads.expected(parity, round, sameParity), digest(ranks.get(i), parity,
                            round), "rank " + rank + " " + parity + " round " + round);
                    assertEquals(GroupPayloads.expected(half, round, sameHalf), digest(ranks.get(i), half, round),
                            "rank " + rank + " " + half + " round " + round);
                }
            }
        } finally {
            ranks.forEach(RankProcess::close);
        }
    }

    private static String digest(RankProcess p, String tag, int round) {
        return p.awaitLine(Pattern.compile("^sub " + tag + " " + round + " digest=(\\w+)$"), WAIT).group(1);
    }
}
