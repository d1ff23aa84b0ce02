package io.memfabric.nativeio;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real child JVM for tests: the same {@code java} binary and class path as this test JVM, native access enabled.
 * Its stdout is read line by line (copied to {@code target/child-logs/<name>.out}) so that a test can wait for a
 * readiness line instead of sleeping; its stderr goes straight to {@code target/child-logs/<name>.err}. Both files
 * are kept after the run. {@link #close()} kills the child ({@code destroyForcibly}) and waits for it.
 */
public final class ChildJvm implements AutoCloseable {
    private static final Path LOG_DIR = Path.of("target", "child-logs");
    private static final String EOF = "\u0000EOF";

    private final String name;
    private final Process process;
    private final BufferedWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread pump;

    private ChildJvm(String name, Process process, Path stdoutCopy) throws IOException {
        this.name = name;
        this.process = process;
        this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        Writer copy = Files.newBufferedWriter(stdoutCopy, StandardCharsets.UTF_8);
        this.pump = new Thread(() -> pump(copy), "child-stdout-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * @param name      names the log files
     * @param mainClass a class with a {@code main} on this JVM's class path
     * @param jvmArgs   extra JVM options, e.g. {@code -Dmemfabric.shm.dir=...}
     * @param args      program arguments
     * @return the running child; the caller closes it in {@code finally}
     */
    public static ChildJvm start(String name, Class<?> mainClass, List<String> jvmArgs, String... args)
            throws IOException {
        Files.createDirectories(LOG_DIR);
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx64m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(jvmArgs);
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(LOG_DIR.resolve(name + ".err").toFile());
        return new ChildJvm(name, builder.start(), LOG_DIR.resolve(name + ".out"));
    }

    private void pump(Writer copy) {
        try (copy; BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                copy.write(line);
                copy.write('\n');
                copy.flush();
                lines.add(line);
            }
        } catch (IOException e) {
            // The child was killed: its stdout is gone.
        } finally {
            lines.add(EOF);
        }
    }

    /**
     * Waits for the next stdout line that starts with {@code prefix}, skipping others.
     *
     * @return the line
     * @throws IllegalStateException when the child's stdout ends or the timeout passes first
     */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("child " + name + ": no line starting with '" + prefix + "' within "
                        + timeout + "; see " + LOG_DIR.toAbsolutePath().resolve(name + ".err"));
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                throw new IllegalStateException("child " + name + " ended its output before '" + prefix
                        + "'; see " + LOG_DIR.toAbsolutePath().resolve(name + ".err"));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Sends one line to the child's stdin. */
    public void send(String line) {
        try {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("child " + name + " stdin", e);
        }
    }

    /** @return the child process. */
    public Process process() {
        return process;
    }

    /** Kills the child ({@code SIGKILL}) and waits until it is reaped. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("child " + name + " pid " + process.pid() + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing child " + name, e);
        }
    }

    /** Kills the child and waits for it and for the thread that copies its output. */
    @Override
    public void close() {
        try {
            kill();
        } finally {
            try {
                pump.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
