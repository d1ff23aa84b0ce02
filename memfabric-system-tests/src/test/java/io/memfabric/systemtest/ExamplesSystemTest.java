package io.memfabric.systemtest;

import io.memfabric.examples.ConfigStore;
import io.memfabric.examples.PoolAndCopy;
import io.memfabric.memory.MemoryConfig;
import io.memfabric.testsupport.FreePorts;
import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
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
 * The README's example as a user runs it: a {@link ConfigStore} process and four {@link PoolAndCopy} processes with
 * the same arguments ({@code <storeUrl> 4}) and {@code --enable-native-access=ALL-UNNAMED}. Every rank reports its
 * copies verified and exits 0, the four take ranks 0..3, no JVM warning is printed, and no slot file is left behind.
 */
@Timeout(180)
class ExamplesSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int RANKS = 4;
    /** {@code PoolAndCopy.BLOCK_SIZE}: 4 MiB. */
    private static final String BLOCK = Long.toString(4L << 20);
    private static final Pattern REPORT = Pattern.compile("^rank (\\d+): copied (\\d+) bytes to rank (\\d+) over "
            + "(\\w+) and back, found rank (\\d+)'s (\\d+) bytes in its own slot, (\\d+) wrong$");

    private String testName;

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
    }

    @Test
    void shouldPoolAndCopyAmongFourProcessesOnOneHost() throws Exception {
        run("shm", rank -> Map.of());
    }

    @Test
    void shouldPoolAndCopyAmongFourProcessesOnDifferentHosts() throws Exception {
        run("tcp", rank -> Map.of(MemoryConfig.HOST_ID_PROP, "example-host-" + rank));
    }

    private void run(String route, IntFunction<Map<String, String>> properties) throws IOException {
        String url = "tcp://127.0.0.1:" + FreePorts.next();
        try (BmCluster cluster = BmCluster.withoutStore(testName, url, Duration.ofMillis(500))) {
            RankProcess store = cluster.start(ConfigStore.class, "store", Map.of());
            store.awaitLine(Pattern.compile("^config store listening on " + Pattern.quote(url) + "$"), WAIT);
            List<RankProcess> ranks = new ArrayList<>();
            for (int i = 0; i < RANKS; i++) {
                ranks.add(cluster.start(PoolAndCopy.class, "rank-" + i, properties.apply(i),
                        Integer.toString(RANKS)));
            }
            boolean[] seen = new boolean[RANKS];
            for (RankProcess p : ranks) {
                Matcher report = p.awaitLine(REPORT, WAIT);
                int rank = Integer.parseInt(report.group(1));
                assertEquals(0, p.exitCode(WAIT), p.name() + ": " + report.group());
                assertEquals((rank + 1) % RANKS, Integer.parseInt(report.group(3)), p.name() + ": the next rank");
                assertEquals((rank + RANKS - 1) % RANKS, Integer.parseInt(report.group(5)), p.name() + ": previous");
                assertEquals(route, report.group(4), p.name() + ": route");
                assertEquals(0, Long.parseLong(report.group(7)), p.name() + ": wrong bytes");
                assertEquals(List.of(BLOCK, BLOCK), List.of(report.group(2), report.group(6)), p.name() + ": sizes");
                seen[rank] = true;
                List<String> warnings = Files.readAllLines(p.stderrFile()).stream()
                        .filter(l -> l.startsWith("WARNING:")).toList();
                assertEquals(List.of(), warnings, p.name() + " printed JVM warnings");
            }
            for (int r = 0; r < RANKS; r++) {
                assertTrue(seen[r], "rank " + r + " was taken");
            }
            assertEquals(List.of(), cluster.slotFiles(), "slot files left behind");
            assertTrue(store.isAlive(), "the store serves until it is stopped");
        }
    }
}
