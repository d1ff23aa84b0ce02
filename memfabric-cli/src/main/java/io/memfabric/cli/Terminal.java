package io.memfabric.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Whether a standard stream is a terminal, asked of the C library ({@code isatty(3)}): a progress bar redraws its line
 * with carriage returns, which only a terminal shows as one line; a log file or a pipe gets plain lines instead.
 * {@code System.console()} cannot tell, because it looks at standard input and output together and not at standard
 * error, where the benchmarks report progress.
 *
 * <p>Thread safety: stateless.
 */
final class Terminal {
    /** File descriptor of standard output. */
    static final int STDOUT = 1;
    /** File descriptor of standard error. */
    static final int STDERR = 2;

    private Terminal() {
    }

    /**
     * @param fd {@link #STDOUT} or {@link #STDERR}
     * @return whether it is a terminal that can redraw a line: not with {@code TERM=dumb} or unset, and {@code false}
     *         when the question cannot be asked
     */
    static boolean isTerminal(int fd) {
        String term = System.getenv("TERM");
        if (term == null || term.equals("dumb")) {
            return false;
        }
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle isatty = linker.downcallHandle(linker.defaultLookup().find("isatty").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) isatty.invokeExact(fd) == 1;
        } catch (Throwable e) {
            return false;
        }
    }
}
