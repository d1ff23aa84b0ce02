package io.memfabric.systemtest;

import io.memfabric.cli.MemFabricCommand;
import io.memfabric.common.idle.IdleStrategies;
import io.memfabric.common.idle.ParkingIdleStrategy;
import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C of a running {@code memfabric demo}, or of one of its rank processes, leaves no slot file of the run in
 * {@code /dev/shm}: the demo's own JVM is started as a user starts it and is sent SIGINT while its ranks hold their
 * slots ({@code --hold} keeps them there, so the signal always lands mid-run).
 */
@Timeout(180)
class DemoSignalSystemTest {
    private static final Path SHM = Path.of("/dev/shm");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int RANKS = 2;
    /** Each rank owns a HOST and a DEVICE slot. */
    private static final int SLOT_FILES = 2 * RANKS;
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private String testName;

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
    }

    @Test
    void sigintOfTheDemoRemovesEverySlotFileOfItsRanks() throws Exception {
        try (RankProcess demo = startDemo()) {
            String fabric = awaitFabric(demo);
            List<Path> files = awaitSlotFiles(fabric, SLOT_FILES);
            List<ProcessHandle> ranks = ProcessHandle.of(demo.pid()).orElseThrow().children().toList();
            assertEquals(RANKS, ranks.size(), "the demo's rank JVMs: " + ranks);

            signal("INT", demo.pid());
            assertNotEquals(0, demo.exitCode(WAIT), "ended by the signal, not by finishing");
            assertEquals(List.of(), slotFiles(fabric), "slot files of " + fabric + " after SIGINT (were " + files
                    + ")");
            for (ProcessHandle rank : ranks) {
                assertFalse(rank.isAlive(), "rank " + rank.pid() + " outlived the demo");
            }
        }
    }

    @Test
    void sigintOfOneRankRemovesItsFilesAndTheDemoStopsTheOthers() throws Exception {
        try (RankProcess demo = startDemo()) {
            String fabric = awaitFabric(demo);
            awaitSlotFiles(fabric, SLOT_FILES);
            ProcessHandle victim = ProcessHandle.of(demo.pid()).orElseThrow().children().findFirst().orElseThrow();

            signal("INT", victim.pid());
            assertTrue(victim.onExit().get(60, TimeUnit.SECONDS).pid() == victim.pid());
            assertEquals(List.of(), slotFiles(fabric).stream().filter(p -> p.getFileName().toString()
                    .contains("-p" + victim.pid() + "-")).toList(), "the interrupted rank's own files");

            assertEquals(1, demo.exitCode(WAIT), "a failed rank fails the demo");
            demo.awaitLine(Pattern.compile("rank \\d exited with 130; stopping the others"), Duration.ofSeconds(5));
            demo.awaitLine(Pattern.compile("memfabric demo: FAILED"), Duration.ofSeconds(5));
            assertEquals(List.of(), slotFiles(fabric), "every slot file of " + fabric);
        }
    }

    private RankProcess startDemo() throws IOException {
        return RankProcess.builder(MemFabricCommand.class).name("demo").testName(testName)
                .args("demo", "--ranks", String.valueOf(RANKS), "--size", "64m", "--rank-heap", "96m", "--hold")
                .start();
    }

    /** @return the run's fabric id, from the demo's first line ({@code ..., fabric demo_<pid>}) */
    private static String awaitFabric(RankProcess demo) {
        Matcher m = demo.awaitLine(Pattern.compile("^memfabric demo: .*, fabric (demo_[0-9]+)$"), WAIT);
        return m.group(1);
    }

    /** Polls {@code /dev/shm} until the run's ranks have created {@code count} slot files. */
    private static List<Path> awaitSlotFiles(String fabric, int count) {
        boolean created = IdleStrategies.deadline(() -> slotFiles(fabric).size() >= count,
                System.nanoTime() + WAIT.toNanos(), new ParkingIdleStrategy(POLL_NS), POLL_NS);
        assertTrue(created, "only " + slotFiles(fabric) + " after " + WAIT);
        return slotFiles(fabric);
    }

    private static List<Path> slotFiles(String fabric) {
        try (Stream<Path> files = Files.list(SHM)) {
            return files.filter(p -> p.getFileName().toString().startsWith("memfabric-" + fabric + "-")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }
}
