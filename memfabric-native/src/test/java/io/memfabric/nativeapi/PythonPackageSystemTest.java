package io.memfabric.nativeapi;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Python package over the library: its pytest suite ({@code python/tests}: BM across processes, TRANS with numpy,
 * bad arguments) against this build's {@code libmemfabric.so}; and a user's path — {@code pip install ./python} into
 * a fresh virtual environment, offline, then {@code python -m memfabric.demo} from it. Needs {@code python3} with
 * numpy and pytest (CI has them; elsewhere the test is skipped when they are missing).
 */
@Timeout(600)
class PythonPackageSystemTest {
    private static final Path PYTHON_DIR = Path.of(System.getProperty("memfabric.python.dir", "../python"));

    @Test
    void pytestSuite() throws Exception {
        requirePython("import numpy, pytest");
        NativeRun run = NativeRun.run("pytest", List.of("python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        PYTHON_DIR.resolve("tests").toAbsolutePath().toString()),
                Map.of("MEMFABRIC_LIB", library()), 480);
        assertEquals(0, run.exitCode(), run.report());
        assertTrue(run.stdout().contains(" passed"), run.report());
    }

    @Test
    void pipInstallIntoAFreshVirtualEnvironmentThenDemo(@TempDir Path temp) throws Exception {
        requirePython("import ensurepip");
        Path venv = temp.resolve("venv");
        NativeRun created = NativeRun.run("venv", List.of("python3", "-m", "venv", venv.toString()), Map.of(), 120);
        assertEquals(0, created.exitCode(), created.report());
        NativeRun installed = NativeRun.run("pip-install", List.of(venv.resolve("bin/pip").toString(), "install",
                "--no-index", PYTHON_DIR.toAbsolutePath().toString()),
                Map.of("MEMFABRIC_NATIVE_DIR", NativeRun.NATIVE_DIR.toAbsolutePath().toString()), 300);
        assertEquals(0, installed.exitCode(), installed.report());
        NativeRun demo = NativeRun.run("demo", List.of(venv.resolve("bin/python").toString(), "-m", "memfabric.demo",
                "--rounds", "2"), Map.of(), 180);
        assertEquals(0, demo.exitCode(), demo.report());
        assertTrue(demo.stdout().contains("demo: verified"), demo.report());
        assertTrue(demo.stdout().contains("122 blocks, 8994816 bytes"), demo.report());
    }

    private static String library() {
        return NativeRun.NATIVE_DIR.resolve("libmemfabric.so").toAbsolutePath().toString();
    }

    /** Skips outside CI when python3 cannot run {@code code}; fails in CI (where .ci/run installs what it needs). */
    private static void requirePython(String code) throws Exception {
        NativeRun probe;
        try {
            probe = NativeRun.run("python-probe", List.of("python3", "-c", code), Map.of(), 60);
        } catch (java.io.IOException e) {
            probe = new NativeRun(-1, "", e.toString());
        }
        boolean ok = probe.exitCode() == 0;
        if (!ok && System.getenv("CI") == null) {
            Assumptions.abort("python3 cannot run '" + code + "' here: " + probe.stderr());
        }
        assertTrue(ok, "python3 cannot run '" + code + "': " + probe.report());
    }
}
