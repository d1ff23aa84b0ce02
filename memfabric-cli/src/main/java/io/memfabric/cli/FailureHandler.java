package io.memfabric.cli;

import io.memfabric.error.MemFabricException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Reports a command that failed as one line: the command, the failure's message and, for a memfabric failure, its
 * error code ({@code memfabric demo: connect to tcp://127.0.0.1:7000 failed: ... [STORE_IO_ERROR/-602]}), and exits 1.
 * The stack trace follows only with {@code --verbose} or when memfabric logs at debug level: a user who gave a wrong
 * address needs the message, not the 20 frames of the I/O library beneath it.
 *
 * <p>Thread safety: stateless.
 */
final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
        PrintWriter err = command.getErr();
        Throwable failure = unwrap(e);
        boolean verbose = MemFabricCommand.isVerbose(parseResult)
                || LoggerFactory.getLogger("io.memfabric").isDebugEnabled();
        err.println(command.getCommandSpec().qualifiedName() + ": " + describe(failure)
                + (verbose || failure instanceof MemFabricException ? "" : " (--verbose shows the stack trace)"));
        if (verbose) {
            failure.printStackTrace(err);
        }
        err.flush();
        return command.getCommandSpec().exitCodeOnExecutionException();
    }

    /** @return the message of {@code failure}, with the error code of a memfabric failure. */
    static String describe(Throwable failure) {
        if (failure instanceof MemFabricException mfe) {
            return mfe.getMessage() + " [" + mfe.code() + "/" + mfe.code().value() + "]";
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.toString() : message;
    }

    /** @return the failure inside the wrappers that only say where it was rethrown. */
    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException
                || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
