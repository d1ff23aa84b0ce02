package io.memfabric.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;

/**
 * Reports bad usage (an unknown option, a value that does not convert, a value out of range) as one line naming the
 * command, the option, the value and what is expected, with where to read more, and exits 2. picocli's default
 * handler prints the whole usage help after the message, which buries the one line that matters.
 *
 * <p>Thread safety: stateless.
 */
final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        StringBuilder line = new StringBuilder(name).append(": ").append(e.getMessage());
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                line.append(" (did you mean ").append(String.join(" or ", suggestions)).append("?)");
            }
        }
        PrintWriter err = command.getErr();
        err.println(line.append("; see '").append(name).append(" --help'"));
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }
}
