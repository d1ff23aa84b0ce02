package io.memfabric.cli;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failed command is one line (message and error code); the stack trace only with {@code --verbose}. */
@Timeout(30)
class FailureHandlerTest {
    @Command(name = "failing")
    static final class Failing implements Callable<Integer> {
        @Option(names = {"-v", "--verbose"})
        boolean verbose;

        Exception failure;

        @Override
        public Integer call() throws Exception {
            throw failure;
        }
    }

    private static String[] run(Exception failure, String... args) {
        Failing command = new Failing();
        command.failure = failure;
        StringWriter err = new StringWriter();
        int exit = new CommandLine(command).setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler(new FailureHandler()).execute(args);
        assertEquals(1, exit);
        return err.toString().lines().toArray(String[]::new);
    }

    @Test
    void aMemFabricFailureIsItsMessageAndCodeOnOneLine() {
        StoreException e = new StoreException(ErrorCode.STORE_IO_ERROR,
                "connect to tcp://127.0.0.1:4999 failed: Connection refused", new ConnectException("refused"));
        String[] lines = run(e);
        assertEquals(1, lines.length, String.join("\n", lines));
        assertEquals("failing: connect to tcp://127.0.0.1:4999 failed: Connection refused [STORE_IO_ERROR/-602]",
                lines[0]);
    }

    @Test
    void anyOtherFailureIsItsMessageWithoutTheWrappers() {
        String[] lines = run(new UncheckedIOException(new IOException("disk full")));
        assertEquals(1, lines.length, String.join("\n", lines));
        assertEquals("failing: disk full (--verbose shows the stack trace)", lines[0]);
    }

    @Test
    void aFailureWithoutMessageNamesItsType() {
        String[] lines = run(new IllegalStateException());
        assertEquals("failing: java.lang.IllegalStateException (--verbose shows the stack trace)", lines[0]);
    }

    @Test
    void verboseAddsTheStackTrace() {
        String[] lines = run(new IllegalStateException("broken"), "--verbose");
        assertEquals("failing: broken", lines[0]);
        assertEquals("java.lang.IllegalStateException: broken", lines[1]);
        assertTrue(lines[2].strip().startsWith("at io.memfabric.cli.FailureHandlerTest.verboseAddsTheStackTrace"),
                lines[2]);
    }
}
