package io.memfabric.testsupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RankProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RankProcess.Builder echo(String name) {
        return RankProcess.builder(EchoMain.class).testName("RankProcessTest").name(name);
    }

    @Test
    void shouldStartOnReadinessLineAndReportExitCode() throws Exception {
        try (RankProcess child = echo("exit-code").args("a", "b").env("ECHO_ENV", "x").start()) {
            Matcher m = child.awaitLine(Pattern.compile("ready args=(\\S+) env=(\\S+)"), WAIT);
            assertEquals("a,b", m.group(1));
            assertEquals("x", m.group(2));
            child.send("hello");
            child.awaitLine(Pattern.compile("^echo hello$"), WAIT);
            child.send("exit 7");
            assertEquals(7, child.exitCode(WAIT));
            assertTrue(Files.readString(child.stdoutFile()).contains("echo hello"));
            assertTrue(Files.readString(child.stderrFile()).contains("stderr line"));
            assertEquals(List.of("ready args=a,b env=x", "echo hello"), child.lines());
        }
    }

    @Test
    void shouldKillWithSigkillAndCloseIdempotently() {
        RankProcess child = echo("kill").start();
        try (child) {
            child.awaitLine(Pattern.compile("ready"), WAIT);
            child.kill();
            assertEquals(137, child.exitCode(WAIT));
        }
        child.close();
        assertFalse(child.isAlive());
    }

    @Test
    void shouldFailFastWhenChildEndsWithoutTheLine() {
        try (RankProcess child = echo("ends").start()) {
            child.awaitLine(Pattern.compile("ready"), WAIT);
            child.send("exit 3");
            AssertionError e = assertThrows(AssertionError.class,
                    () -> child.awaitLine(Pattern.compile("never printed"), WAIT));
            assertTrue(e.getMessage().contains("exit 3"), e.getMessage());
            assertTrue(e.getMessage().contains("stderr line"), e.getMessage());
        }
    }

    @Test
    void shouldTimeOutNamingTheLogs() {
        try (RankProcess child = echo("timeout").start()) {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> child.awaitLine(Pattern.compile("never printed"), Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("timeout.out"), e.getMessage());
            assertTrue(child.isAlive());
        }
    }

    @Test
    void shouldFindFreeDistinctPorts() {
        List<Integer> ports = FreePorts.next(3);
        assertEquals(3, ports.stream().distinct().count());
        assertTrue(ports.stream().allMatch(p -> p > 1024));
        assertNotEquals(0, FreePorts.next());
    }
}
