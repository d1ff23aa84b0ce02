package io.memfabric.cli;

import io.memfabric.common.CloseOnce;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The progress of one long phase of a command (creating slots, joining, measuring, reference measurements), counted
 * in steps: on a terminal a progress bar with the elapsed time and an ETA (the {@code progressbar} library, redrawn
 * in place), anywhere else one plain line per step ({@code bench bm: [3/40] h2rd 4K: 12.31 GB/s}), which reads well in
 * a log file and in a CI transcript.
 *
 * <p>Lines a command wants to keep ({@link #report}) are printed at once in plain mode; under a bar they would be
 * overdrawn, so they wait until the bar is closed.
 *
 * <p>Thread safety: one thread steps and reports; {@link #close()} from that thread.
 */
public final class Progress implements AutoCloseable {
    private final String task;
    private final long steps;
    private final PrintStream out;
    private final ProgressBar bar;
    private final List<String> held = new ArrayList<>();
    private final CloseOnce closed = new CloseOnce();
    private long done;

    private Progress(String task, long steps, PrintStream out, ProgressBar bar) {
        this.task = task;
        this.steps = steps;
        this.out = out;
        this.bar = bar;
    }

    /**
     * Starts a phase on standard error (the benchmarks' human channel: standard output carries their results).
     *
     * @param task  the phase, e.g. {@code bench bm: measuring}
     * @param steps how many steps it has, at least 1
     * @return the phase; the caller closes it
     */
    public static Progress onStderr(String task, long steps) {
        return start(task, steps, System.err, Terminal.isTerminal(Terminal.STDERR));
    }

    /** As {@link #onStderr}, on standard output (the demo's only channel). */
    public static Progress onStdout(String task, long steps) {
        return start(task, steps, System.out, Terminal.isTerminal(Terminal.STDOUT));
    }

    /**
     * @param out      where plain lines and reports go, and the bar when {@code terminal}
     * @param terminal draw a bar (when {@code out} is a terminal) rather than plain lines
     */
    static Progress start(String task, long steps, PrintStream out, boolean terminal) {
        return terminal ? withBar(task, steps, out, new ConsoleProgressBarConsumer(out)) : new Progress(task,
                Math.max(1, steps), out, null);
    }

    /** A bar drawn into {@code consumer} (tests pass one that records the rendered lines). */
    static Progress withBar(String task, long steps, PrintStream out, ProgressBarConsumer consumer) {
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, steps))
                .setConsumer(consumer).setUpdateIntervalMillis(250).continuousUpdate().build();
        return new Progress(task, Math.max(1, steps), out, bar);
    }

    /** Counts one step done and shows {@code message} with it. */
    public void step(String message) {
        done = Math.min(steps, done + 1);
        if (bar == null) {
            out.println(task + ": [" + done + "/" + steps + "] " + message);
        } else {
            bar.setExtraMessage(message);
            bar.stepTo(done);
        }
    }

    /** Shows {@code message} without counting a step (a phase within a step, e.g. the test being measured). */
    public void note(String message) {
        if (bar == null) {
            out.println(task + ": " + message);
        } else {
            bar.setExtraMessage(message);
        }
    }

    /** Prints a line the user should keep: now in plain mode, after the bar otherwise. */
    public void report(String line) {
        if (bar == null) {
            out.println(line);
        } else {
            held.add(line);
        }
    }

    /** @return the steps counted so far. */
    public long done() {
        return done;
    }

    /** Ends the bar (leaving its last state on screen) and prints the reports it held back. Idempotent. */
    @Override
    public void close() {
        if (!closed.begin()) {
            return;
        }
        if (bar != null) {
            bar.close();
            held.forEach(out::println);
            held.clear();
        }
        out.flush();
    }
}
