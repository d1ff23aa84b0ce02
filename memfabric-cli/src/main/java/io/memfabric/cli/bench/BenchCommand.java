package io.memfabric.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code memfabric bench}: end-to-end benchmarks. Figures, not tests: nothing here asserts a timing. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"End-to-end benchmarks. Each prints a table (or JSON Lines with --json) and, where a reference "
            + "exists, the reference measured in the same run and the ratio."},
        subcommands = {BmBench.class, StoreBench.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
