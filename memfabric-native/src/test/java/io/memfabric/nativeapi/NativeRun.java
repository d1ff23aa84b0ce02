package io.memfabric.nativeapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One run of a program of the native tests (a C test program, pytest): its output goes to
 * {@code target/native-logs/<name>.out} and {@code .err}, kept after the run; its shared-memory files go to a directory
 * of their own under {@code /dev/shm} ({@code MEMFABRIC_SHM_DIR}), removed afterwards; it is killed, with every
 * process it started, when it outlives its limit or the test ends, whatever the outcome.
 *
 * @param exitCode the program's exit code, or -1 when it was killed at its limit
 * @param stdout   what it printed
 * @param stderr   what it printed to standard error
 */
record NativeRun(int exitCode, String stdout, String stderr) {
    /** Where the build put libmemfabric.so, its headers, jars and the C test programs. */
    static final Path NATIVE_DIR = Path.of(System.getProperty("memfabric.native.dir", "target"));
    private static final Path LOG_DIR = Path.of("target", "native-logs");

    static NativeRun run(String name, List<String> command, Map<String, String> environment, long limitSeconds)
            throws IOException, InterruptedException {
        Files.createDirectories(LOG_DIR);
        Path shmDir = Path.of("/dev/shm", "memfabric-native-test-" + UUID.randomUUID());
        Files.createDirectories(shmDir);
        Path out = LOG_DIR.resolve(name + ".out");
        Path err = LOG_DIR.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("MEMFABRIC_SHM_DIR", shmDir.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            boolean ended = process.waitFor(limitSeconds, TimeUnit.SECONDS);
            return new NativeRun(ended ? process.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(shmDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** @return what to show when the run failed: its exit code and the ends of its output. */
    String report() {
        return "exit code " + exitCode + "\n--- stdout (end) ---\n" + tail(stdout) + "\n--- stderr (end) ---\n"
                + tail(stderr);
    }

    private static String tail(String text) {
        return text.length() <= 6000 ? text : "..." + text.substring(text.length() - 6000);
    }
}
