package io.memfabric.testsupport;

import io.memfabric.common.CloseOnce;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rank (or any helper) running in its own JVM, for system tests (after Aeron's {@code CTestMediaDriver}). It is
 * started with the same {@code java} binary and class path as the test, {@code --enable-native-access=ALL-UNNAMED},
 * light JVM flags by default, a main class, arguments and environment. Its standard output and error go to
 * {@code target/rank-logs/<test>/<name>.out} and {@code .err}, which stay there after the run (look there when a test
 * fails). Standard output is also kept in memory line by line, so a test can wait for a readiness line
 * ({@link #awaitLine}) instead of sleeping.
 *
 * <p>{@link #close()} kills the process (SIGKILL) and waits for it, so try-with-resources cleans up even when the test
 * fails; a JVM shutdown hook kills any process still running when the test JVM exits. A child that should also die
 * when the test JVM is killed calls {@link #exitWhenParentExits()} first thing in its {@code main}.
 *
 * <p>Thread safety: safe from any thread; {@link #awaitLine} may be called by several threads.
 */
public final class RankProcess implements AutoCloseable {
    /** Where logs go, below the module's directory; property {@value}. */
    public static final String LOG_DIR_PROP = "memfabric.test.rank.logs";
    /** Default log directory: {@value}. */
    public static final String LOG_DIR_DEFAULT = "target/rank-logs";
    /** JVM flags used unless the builder names others: small heap, serial GC, C1 only (8 JVMs share 2 cores). */
    public static final List<String> LIGHT_JVM_FLAGS = List.of("-Xmx64m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData");
    /** System property naming the test JVM's pid in a child, read by {@link #exitWhenParentExits()}. */
    public static final String PARENT_PID_PROP = "memfabric.test.parent.pid";

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process process : LIVE) {
                process.destroyForcibly();
            }
        }, "rank-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path stdoutFile;
    private final Path stderrFile;
    private final List<String> lines = new ArrayList<>();
    private final Thread pump;
    private boolean stdoutEnded;
    private final CloseOnce closed = new CloseOnce();

    private RankProcess(Builder b) throws IOException {
        this.name = b.name;
        Path dir = Path.of(System.getProperty(LOG_DIR_PROP, LOG_DIR_DEFAULT)).resolve(b.testName);
        Files.createDirectories(dir);
        this.stdoutFile = dir.resolve(b.name + ".out");
        this.stderrFile = dir.resolve(b.name + ".err");
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(b.jvmFlags);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-D" + PARENT_PID_PROP + "=" + ProcessHandle.current().pid());
        for (Map.Entry<String, String> p : b.properties.entrySet()) {
            command.add("-D" + p.getKey() + "=" + p.getValue());
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(b.mainClass);
        command.addAll(b.args);
        Files.writeString(dir.resolve(b.name + ".cmd"), String.join(" ", command) + System.lineSeparator());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(stderrFile.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().putAll(b.env);
        this.process = pb.start();
        LIVE.add(process);
        this.pump = new Thread(this::pumpStdout, "rank-process-" + b.name + "-stdout");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * @param mainClass the class whose {@code main} the child runs; it must be on the test's class path
     * @return a builder
     */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass.getName());
    }

    /** @return the name given to the builder; it names the log files. */
    public String name() {
        return name;
    }

    /** @return the child's process id. */
    public long pid() {
        return process.pid();
    }

    /** @return whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the file that receives the child's standard output. */
    public Path stdoutFile() {
        return stdoutFile;
    }

    /** @return the file that receives the child's standard error. */
    public Path stderrFile() {
        return stderrFile;
    }

    /** @return the lines the child has printed so far (a copy). */
    public List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /**
     * Waits until the child prints a line that matches {@code pattern} (searched with {@link Matcher#find()}),
     * counting lines printed before this call too.
     *
     * @return the match, for its groups
     * @throws AssertionError when the child exits first or the timeout passes; the message names the log files and
     *                        quotes the end of standard error
     */
    public Matcher awaitLine(Pattern pattern, Duration timeout) {
        return awaitLine(pattern, 0, timeout);
    }

    /**
     * As {@link #awaitLine(Pattern, Duration)}, counting only lines from index {@code fromLine} on (see
     * {@link #lines()}), to wait for the next occurrence of a line that was printed before.
     */
    public Matcher awaitLine(Pattern pattern, int fromLine, Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        int next = fromLine;
        synchronized (lines) {
            while (true) {
                for (; next < lines.size(); next++) {
                    Matcher m = pattern.matcher(lines.get(next));
                    if (m.find()) {
                        return m;
                    }
                }
                if (stdoutEnded) {
                    throw new AssertionError(name + " ended (exit " + exitValueOrRunning() + ") without printing /"
                            + pattern + "/" + logHint());
                }
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    requestThreadDump();
                    throw new AssertionError(name + " did not print /" + pattern + "/ within " + timeout.toMillis()
                            + " ms (thread dump requested into its stdout)" + logHint());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lines, remainingNs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + name, e);
                }
            }
        }
    }

    /**
     * Writes one line to the child's standard input (a simple way to tell a child to go on).
     */
    public void send(String line) {
        try {
            BufferedWriter writer = process.outputWriter(StandardCharsets.UTF_8);
            writer.write(line);
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + name, e);
        }
    }

    /**
     * Waits for the child to exit.
     *
     * @return its exit code
     * @throws AssertionError when it is still running after {@code timeout}
     */
    public int exitCode(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                requestThreadDump();
                process.waitFor(1, TimeUnit.SECONDS); // Give the dump time to reach the log.
                throw new AssertionError(name + " still running after " + timeout.toMillis() + " ms (thread dump in "
                        + "its stdout)" + logHint());
            }
            pump.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
    }

    /**
     * Asks the child JVM for a thread dump (SIGQUIT), which it prints to its standard output, so the log of a child
     * that hangs shows where (as Aeron's SystemTestWatcher collects one). Does nothing once the child has exited.
     */
    public void requestThreadDump() {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process quit = new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).start();
            quit.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // No kill command: the test fails with its own message anyway.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the child at once (SIGKILL), as a crash would: no shutdown hooks, no goodbye to the store. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Kills the child if it still runs (SIGKILL) and waits until it is gone. Idempotent. */
    @Override
    public void close() {
        if (!closed.begin()) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
            pump.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }

    @Override
    public String toString() {
        return "RankProcess{" + name + ", pid=" + process.pid() + ", " + (process.isAlive() ? "running" : "exited")
                + "}";
    }

    /**
     * For a child's {@code main}: exits this JVM (status 143) when the test JVM that started it exits, however it
     * exits, so no child outlives a test run that was killed. Does nothing outside a {@code RankProcess} child.
     */
    public static void exitWhenParentExits() {
        String parent = System.getProperty(PARENT_PID_PROP);
        if (parent == null) {
            return;
        }
        ProcessHandle.of(Long.parseLong(parent)).ifPresentOrElse(
                handle -> handle.onExit().thenRun(() -> Runtime.getRuntime().halt(143)),
                () -> Runtime.getRuntime().halt(143));
    }

    private void pumpStdout() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(stdoutFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write(System.lineSeparator());
                if (out instanceof BufferedWriter buffered && !in.ready()) {
                    buffered.flush();
                }
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The child was killed mid-line or the file became unwritable; the lines so far are kept.
        } finally {
            synchronized (lines) {
                stdoutEnded = true;
                lines.notifyAll();
            }
        }
    }

    private String exitValueOrRunning() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private String logHint() {
        String tail;
        try {
            List<String> err = Files.readAllLines(stderrFile, StandardCharsets.UTF_8);
            tail = String.join(System.lineSeparator() + "  ", err.subList(Math.max(0, err.size() - 15), err.size()));
        } catch (IOException | UncheckedIOException e) {
            tail = "(unreadable: " + e + ")";
        }
        return "; logs: " + stdoutFile.toAbsolutePath() + ", " + stderrFile.toAbsolutePath()
                + (tail.isBlank() ? "" : System.lineSeparator() + "  stderr tail:" + System.lineSeparator() + "  "
                + tail);
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Describes a child JVM.
     *
     * <p>Thread safety: not thread safe; use from one thread.
     */
    public static final class Builder {
        private final String mainClass;
        private String name;
        private String testName = "default";
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> properties = new LinkedHashMap<>();
        private List<String> jvmFlags = LIGHT_JVM_FLAGS;

        private Builder(String mainClass) {
            this.mainClass = mainClass;
            this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        }

        /** @param name names the log files, e.g. {@code rank-3} */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** @param testName the log directory below {@code target/rank-logs}, e.g. the test class and method */
        public Builder testName(String testName) {
            this.testName = Objects.requireNonNull(testName, "testName").replaceAll("[^A-Za-z0-9._-]", "_");
            return this;
        }

        /** @param args the arguments of {@code main} */
        public Builder args(String... args) {
            Collections.addAll(this.args, args);
            return this;
        }

        /** @param value an environment variable of the child */
        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** @param value a system property of the child ({@code -Dkey=value}) */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** @param flags JVM flags instead of {@link #LIGHT_JVM_FLAGS} */
        public Builder jvmFlags(String... flags) {
            this.jvmFlags = List.of(flags);
            return this;
        }

        /**
         * @return the started child; the caller closes it
         * @throws UncheckedIOException when the JVM cannot be started or the log directory cannot be made
         */
        public RankProcess start() {
            try {
                return new RankProcess(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name + " (" + mainClass + ")", e);
            }
        }
    }
}
