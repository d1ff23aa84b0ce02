package io.memfabric.common.fault;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator's ways in: the setting and the fault file, each in a fresh JVM (they are read once per JVM). */
@Timeout(60)
class ConfiguredFaultsTest {
    @Test
    void shouldHaltWithTheStatusTheSettingNames() throws Exception {
        Process child = start(List.of("-D" + FaultInjector.POINTS_PROP + "=test.kill=kill:7+1"), "kill");
        String stderr = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(7, child.exitValue(), stderr);
        assertTrue(stderr.contains("test.kill pass 2: kill, halting with status 7"), stderr);
    }

    @Test
    void shouldArmAndDisarmFromTheFileWhileRunning(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("faults-{pid}.conf");
        Process child = start(List.of("-D" + FaultInjector.FILE_PROP + "=" + file), "file");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("ready {}", out.readLine());
            Path resolved = dir.resolve("faults-" + child.pid() + ".conf");
            Files.writeString(resolved, "test.file=fail:STORE_IO_ERROR*5\n");
            assertEquals("armed {test.file=fail:STORE_IO_ERROR*5}", out.readLine());
            Files.writeString(resolved, "# nothing armed\n");
            assertEquals("disarmed", out.readLine());
        } finally {
            child.destroyForcibly();
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }

    private static Process start(List<String> jvmArgs, String mode) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xmx32m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(jvmArgs);
        command.add(FaultChildMain.class.getName());
        command.add(mode);
        return new ProcessBuilder(command).start();
    }
}
