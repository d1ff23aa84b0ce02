package io.memfabric.cli;

import io.memfabric.cli.bench.BenchCommand;
import io.memfabric.cli.bench.BmBenchRankCommand;
import io.memfabric.error.MemFabricException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code memfabric} command: the entry point of the CLI jar.
 *
 * <p>Exit codes: 0 success, 1 a failure reported by memfabric (its message and error code on stderr), 2 bad usage.
 */
@Command(name = "memfabric", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Pools the memory of many processes into one global address space.",
        subcommands = {DemoCommand.class, StoreCommand.class, InfoCommand.class, BenchCommand.class,
            DemoRankCommand.class, BmBenchRankCommand.class,
            CommandLine.HelpCommand.class})
public final class MemFabricCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line without exiting (for tests and embedding).
     *
     * @param args the arguments
     * @return the exit code
     */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new MemFabricCommand());
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof MemFabricException mfe) {
                cmd.getErr().println("memfabric: " + mfe.getMessage() + " [" + mfe.code() + "/" + mfe.code().value()
                        + "]");
                return 1;
            }
            throw e;
        });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
