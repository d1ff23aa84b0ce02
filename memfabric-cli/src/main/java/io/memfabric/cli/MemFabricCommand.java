package io.memfabric.cli;

import io.memfabric.cli.bench.BenchCommand;
import io.memfabric.cli.bench.BmBenchRankCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.List;

/**
 * The {@code memfabric} command: the entry point of the CLI jar.
 *
 * <p>Exit codes: 0 success; 1 a failure, reported as one line on stderr (with memfabric's error code where it has
 * one; the stack trace with {@code --verbose}); 2 bad usage, reported as one line naming the option, the value and
 * what is expected, before anything has been started.
 */
@Command(name = "memfabric", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Pools the memory of many processes into one global address space.",
        subcommands = {DemoCommand.class, StoreCommand.class, InfoCommand.class, BenchCommand.class,
            DemoRankCommand.class, BmBenchRankCommand.class,
            CommandLine.HelpCommand.class})
public final class MemFabricCommand implements Runnable {
    /** The log level property of slf4j-simple, the CLI's logger. */
    private static final String LOG_LEVEL_PROP = "org.slf4j.simpleLogger.defaultLogLevel";
    /** The log level of the store client: its connection retries are reported by the command that gives up. */
    private static final String STORE_CLIENT_LOG_LEVEL_PROP = "org.slf4j.simpleLogger.log.io.memfabric.store.client";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More output: INFO logs (also of the rank processes) and the stack trace of a failure.")
    boolean verbose;

    /**
     * Runs the command line and exits with its code. Logs at WARN (the store client at ERROR) unless
     * {@code --verbose} is given or the log level is set ({@code -Dorg.slf4j.simpleLogger.defaultLogLevel=debug}):
     * the commands report their progress, and a failure once, themselves.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        if (System.getProperty(LOG_LEVEL_PROP) == null) {
            boolean verbose = List.of(args).contains("-v") || List.of(args).contains("--verbose");
            System.setProperty(LOG_LEVEL_PROP, verbose ? "info" : "warn");
            if (!verbose && System.getProperty(STORE_CLIENT_LOG_LEVEL_PROP) == null) {
                System.setProperty(STORE_CLIENT_LOG_LEVEL_PROP, "error");
            }
        }
        System.exit(run(args));
    }

    /**
     * Runs the command line without exiting (for tests and embedding).
     *
     * @param args the arguments
     * @return the exit code
     */
    public static int run(String... args) {
        return new CommandLine(new MemFabricCommand())
                .setParameterExceptionHandler(new UsageErrorHandler())
                .setExecutionExceptionHandler(new FailureHandler())
                .execute(args);
    }

    /**
     * @param parseResult the parse result of the whole command line
     * @return whether {@code -v}/{@code --verbose} was given to the command or any of its subcommands
     */
    static boolean isVerbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
