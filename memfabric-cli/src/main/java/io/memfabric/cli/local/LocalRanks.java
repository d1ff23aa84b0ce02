package io.memfabric.cli.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Rank processes of one local run ({@code memfabric demo}, {@code memfabric bench bm}): JVMs started with this JVM's
 * {@code java} binary and class path, each running a hidden subcommand of the CLI. Their stdout lines arrive, tagged
 * with the rank, in one queue; their stderr goes to this process's stderr (it carries their logs).
 *
 * <p>No rank outlives the command: {@link #close()} and {@link #stop()} end every process that still runs through
 * its {@link Process} handle (SIGTERM, which lets the rank's shutdown hook delete its slot files; SIGKILL after a grace
 * period), and a shutdown hook does the same when this JVM is stopped first (Ctrl-C, SIGTERM). Should this JVM die
 * without running hooks (SIGKILL), each rank sees its standard input end and exits by itself
 * ({@link LocalRankOptions#onParentEnd}).
 *
 * <p>Thread safety: {@link #next} from one thread; {@link #close} from any.
 */
public final class LocalRanks implements AutoCloseable {
    /** The most rank processes a local run starts: each is a JVM with its own heap and slots on this one machine. */
    public static final int MAX_RANKS = 64;
    /** How long a rank may take to end after SIGTERM (its shutdown hooks run) before it is killed. */
    private static final long GRACE_SECONDS = 10;

    /** One line a rank printed, or its exit ({@code line == null}). */
    public record Line(int rank, String line, int exitCode) {
        /** @return whether this is the end of the rank's output. */
        public boolean isExit() {
            return line == null;
        }
    }

    private final List<Process> processes = new ArrayList<>();
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final Thread hook = new Thread(this::destroyAll, "memfabric-local-ranks-reaper");

    private LocalRanks() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts {@code count} ranks.
     *
     * @param count       how many
     * @param subcommand  the hidden CLI subcommand each runs
     * @param argsOfRank  the arguments of rank {@code r} (after the subcommand)
     * @param envOfRank   extra environment of rank {@code r}
     * @param jvmFlags    extra JVM flags, e.g. {@code -Xmx512m}
     * @return the running ranks; the caller closes them
     */
    public static LocalRanks start(int count, String subcommand, IntFunction<List<String>> argsOfRank,
                                   IntFunction<Map<String, String>> envOfRank, List<String> jvmFlags)
            throws IOException {
        if (count < 1 || count > MAX_RANKS) {
            throw new IllegalArgumentException("count=" + count + " (expected: 1.." + MAX_RANKS + ")");
        }
        LocalRanks ranks = new LocalRanks();
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (int r = 0; r < count; r++) {
                List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
                command.addAll(jvmFlags);
                command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                        "io.memfabric.cli.MemFabricCommand", subcommand));
                command.addAll(argsOfRank.apply(r));
                ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
                builder.environment().putAll(envOfRank.apply(r));
                Process process = builder.start();
                ranks.processes.add(process);
                int rank = r;
                Thread.ofPlatform().daemon().name("memfabric-local-rank-" + r + "-out").start(() ->
                        ranks.pump(rank, process));
            }
            return ranks;
        } catch (IOException | RuntimeException e) {
            ranks.close();
            throw e;
        }
    }

    private void pump(int rank, Process process) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(new Line(rank, line, 0));
            }
        } catch (IOException ignored) {
            // The process ended or was destroyed; its exit is reported below.
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = -1;
        }
        lines.add(new Line(rank, null, exit));
    }

    /**
     * @param timeoutMs how long to wait
     * @return the next line of any rank, or {@code null} when none came in time
     */
    public Line next(long timeoutMs) throws InterruptedException {
        return lines.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** @return how many ranks were started. */
    public int count() {
        return processes.size();
    }

    private void destroyAll() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends every rank that still runs (SIGTERM, then SIGKILL after a grace period) and waits for them; their exits
     * still arrive through {@link #next}. For a run that cannot go on, e.g. after one rank failed.
     */
    public void stop() {
        destroyAll();
    }

    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run.
        }
    }
}
