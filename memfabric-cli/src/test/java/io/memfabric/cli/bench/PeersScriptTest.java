package io.memfabric.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** peers.sh is found wherever the project is installed, in a fixed order, or the reason says where it looked. */
@Timeout(10)
class PeersScriptTest {
    @TempDir
    Path root;

    private Path script(Path dir) throws Exception {
        Path script = dir.resolve("shared/bench/peers.sh");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/usr/bin/env bash\n");
        return script;
    }

    @Test
    void theOptionComesFirst() throws Exception {
        Path given = script(root.resolve("given"));
        Path fromEnv = script(root.resolve("env"));
        PeersScript found = PeersScript.locate(given.toString(), Map.of(PeersScript.ENV, fromEnv.toString()), root,
                null);
        assertEquals(given, found.path());
    }

    @Test
    void noneTurnsReferencesOff() {
        PeersScript off = PeersScript.locate("none", Map.of(), root, null);
        assertFalse(off.found());
        assertEquals("turned off with --peers none", off.whyNot());
    }

    @Test
    void theEnvironmentVariableComesBeforeTheKnownLocations() throws Exception {
        Path fromEnv = script(root.resolve("env"));
        Path install = root.resolve("install");
        script(install);
        Path cwd = Files.createDirectories(install.resolve("repo/memfabric-cli"));
        assertEquals(fromEnv, PeersScript.locate(null, Map.of(PeersScript.ENV, fromEnv.toString()), cwd, null)
                .path());
    }

    @Test
    void aBadOptionOrVariableIsAnErrorNamingIt() {
        IllegalArgumentException option = assertThrows(IllegalArgumentException.class,
                () -> PeersScript.locate("/nonexistent/peers.sh", Map.of(), root, null));
        assertEquals("--peers=/nonexistent/peers.sh (expected: the readable peers.sh of shared/bench, or --peers "
                + "none)", option.getMessage());
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
                () -> PeersScript.locate(null, Map.of(PeersScript.ENV, "/nonexistent/peers.sh"), root, null));
        assertTrue(env.getMessage().startsWith("MEMFABRIC_PEERS_SH=/nonexistent/peers.sh (expected: "),
                env.getMessage());
    }

    @Test
    void sharedIsFoundAboveTheJarWhereverTheProjectIsInstalled() throws Exception {
        Path install = root.resolve("opt/memfabric");
        Path expected = script(install);
        // <install>/worktrees/wt1/memfabric-cli/target/memfabric-cli.jar: shared/ three levels above the module.
        Path jar = Files.createDirectories(install.resolve("worktrees/wt1/memfabric-cli/target"))
                .resolve("memfabric-cli.jar");
        Path elsewhere = Files.createDirectories(root.resolve("home/user"));
        assertEquals(expected, PeersScript.locate(null, Map.of(), elsewhere, jar).path());
    }

    @Test
    void sharedIsFoundAboveTheWorkingDirectory() throws Exception {
        Path expected = script(root);
        Path cwd = Files.createDirectories(root.resolve("main/memfabric-cli"));
        assertEquals(expected, PeersScript.locate(null, Map.of(), cwd, null).path());
    }

    @Test
    void notFoundSaysWhereItLookedAndWhatToDo() throws Exception {
        Path cwd = Files.createDirectories(root.resolve("a/b"));
        PeersScript missing = PeersScript.locate(null, Map.of(), cwd, null);
        assertNull(missing.path());
        assertTrue(missing.whyNot().startsWith("no shared/bench/peers.sh in " + cwd + " or any directory above; "),
                missing.whyNot());
        assertTrue(missing.whyNot().endsWith("give --peers PATH or set MEMFABRIC_PEERS_SH"), missing.whyNot());
    }
}
