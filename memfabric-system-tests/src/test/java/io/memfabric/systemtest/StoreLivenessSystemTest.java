package io.memfabric.systemtest;

import io.memfabric.store.StoreEvent;
import io.memfabric.store.client.StoreClient;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Liveness across processes: a client JVM that takes a rank and says hello is reported {@code down} with its rank when
 * it dies (SIGKILL) or stops sending heartbeats (SIGSTOP), and its rank can then be taken by a new process. Also the
 * group level: a rank JVM killed during a barrier loop is reported failed and the survivors go on without it.
 */
@Timeout(120)
class StoreLivenessSystemTest {
    /** Short, so that detection is quick; the bound asserted below is generous (timings belong to benchmarks). */
    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static final Duration START = Duration.ofSeconds(30);
    private static final String NS = "live/";

    private StoreServer server;
    private StoreClient observer;
    private final BlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
    private AutoCloseable subscription;
    private String testName;

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
        server = StoreServer.start(StoreServerOptions.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .heartbeatPeriod(HEARTBEAT).build());
        observer = StoreClient.connect(server.url());
        subscription = observer.subscribeEvents(events::add);
    }

    @AfterEach
    void tearDown() throws Exception {
        subscription.close();
        observer.close();
        server.close();
    }

    private RankProcess liveness(String name, int rank) {
        return RankProcess.builder(LivenessClientMain.class).testName(testName).name(name)
                .args(server.url().toString(), NS, "4", Integer.toString(rank), name,
                        Long.toString(HEARTBEAT.toMillis()))
                .start();
    }

    private StoreEvent awaitEvent(StoreEvent.Kind kind, String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<StoreEvent> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            StoreEvent e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            // "up" comes from MF.HELLO (no namespace); "down" names the namespace of every rank the client held.
            if (e != null && e.kind() == kind && e.name().equals(name)
                    && (kind == StoreEvent.Kind.UP || e.namespace().equals(NS))) {
                return e;
            }
            if (e != null) {
                seen.add(e);
            }
        }
        return fail("no " + kind + " event of " + name + " within " + timeout.toMillis() + " ms; saw " + seen);
    }

    @Test
    void shouldPublishDownWithRankWhenAClientIsKilledAndFreeTheRank() throws Exception {
        try (RankProcess first = liveness("client-a", 2)) {
            first.awaitLine(Pattern.compile("ready rank=2"), START);
            awaitEvent(StoreEvent.Kind.UP, "client-a", START);
            long killedAt = System.nanoTime();
            first.kill();
            StoreEvent down = awaitEvent(StoreEvent.Kind.DOWN, "client-a", HEARTBEAT.multipliedBy(10));
            long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertEquals(2, down.rank());
            System.out.println("down after SIGKILL detected in " + detectedMs + " ms (" + down.reason() + ")");
        }
        try (RankProcess second = liveness("client-b", 2)) {
            second.awaitLine(Pattern.compile("ready rank=2"), START);
        }
    }

    @Test
    void shouldPublishDownWhenAClientStopsSendingHeartbeats() throws Exception {
        try (RankProcess frozen = liveness("client-frozen", -1)) {
            Matcher ready = frozen.awaitLine(Pattern.compile("ready rank=(\\d+)"), START);
            int rank = Integer.parseInt(ready.group(1));
            awaitEvent(StoreEvent.Kind.UP, "client-frozen", START);
            signal("STOP", frozen.pid()); // Alive, connected, silent: only missed heartbeats can reveal it.
            try {
                long stoppedAt = System.nanoTime();
                StoreEvent down = awaitEvent(StoreEvent.Kind.DOWN, "client-frozen", HEARTBEAT.multipliedBy(10));
                long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
                assertEquals(rank, down.rank());
                assertEquals("heartbeat", down.reason());
                System.out.println("down after SIGSTOP detected in " + detectedMs + " ms");
                try (RankProcess replacement = liveness("client-replacement", rank)) {
                    replacement.awaitLine(Pattern.compile("ready rank=" + rank), START);
                }
            } finally {
                signal("CONT", frozen.pid());
            }
        }
    }

    @Test
    void shouldReportAKilledRankFailedAndLetTheSurvivorsContinue() throws Exception {
        int members = 4;
        List<RankProcess> ranks = new ArrayList<>();
        try {
            for (int i = 0; i < members; i++) {
                ranks.add(RankProcess.builder(GroupRankMain.class).testName(testName).name("rank-" + i)
                        .args(server.url().toString(), "loop", Integer.toString(members), "0",
                                Long.toString(HEARTBEAT.toMillis()))
                        .start());
            }
            int victim = -1;
            for (RankProcess p : ranks) {
                p.awaitLine(Pattern.compile("joined rank=\\d+ members=0-3"), START);
            }
            for (int i = 0; i < members; i++) {
                Matcher m = ranks.get(i).awaitLine(Pattern.compile("ready rank=(\\d+)"), START);
                if (Integer.parseInt(m.group(1)) == 2) {
                    victim = i;
                }
            }
            RankProcess doomed = ranks.get(victim);
            doomed.awaitLine(Pattern.compile("^iter 30$"), START);
            doomed.kill();
            for (RankProcess p : ranks) {
                if (p == doomed) {
                    continue;
                }
                p.awaitLine(Pattern.compile("event FAILED rank=2 epoch=5"), START);
                p.awaitLine(Pattern.compile("survived members=0-1,3"), START);
                p.awaitLine(Pattern.compile("^done$"), START);
                assertEquals(0, p.exitCode(START), p.name());
            }
            assertTrue(doomed.exitCode(START) != 0);
        } finally {
            ranks.forEach(RankProcess::close);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
        assertNotNull(signal);
    }
}
