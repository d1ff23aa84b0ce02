package io.memfabric.cli;

import io.memfabric.memory.MemoryInfo;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Checks of option values that a command runs before it starts anything (a store, a rank JVM, a reference
 * measurement): each failure is a picocli usage error (exit code 2) whose message names the option, the value and
 * what is expected, e.g. {@code --ranks=1 (expected: 2..64)}.
 *
 * <p>Thread safety: stateless.
 */
public final class OptionChecks {
    private OptionChecks() {
    }

    /** @throws CommandLine.ParameterException unless {@code min <= value <= max} */
    public static void range(CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw usage(spec, option + "=" + value + " (expected: " + min + ".." + max + ")");
        }
    }

    /** As {@link #range}, for a size: the message shows sizes as {@code 32M}. */
    public static void sizeRange(CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw usage(spec, option + "=" + Sizes.format(value) + " (expected: " + Sizes.format(min) + ".."
                    + Sizes.format(max) + ")");
        }
    }

    /** @throws CommandLine.ParameterException unless {@code value} is one of {@code allowed} */
    public static void oneOf(CommandSpec spec, String option, String value, Collection<String> allowed) {
        if (!allowed.contains(value)) {
            throw usage(spec, option + "=" + value + " (expected: one of " + String.join(", ", allowed) + ")");
        }
    }

    /**
     * Checks that the shared-memory directory has room for the slot files a run will create, so that a run too large
     * for this machine stops here instead of in every rank after the others have started.
     *
     * @param what   names the options that set the size, e.g. {@code --ranks=4 x 2 slots x --size=16g}
     * @param bytes  bytes the run's slot files take together
     * @throws CommandLine.ParameterException when the directory has less room (unknown room passes)
     */
    public static void fitsInSharedMemory(CommandSpec spec, String what, long bytes) {
        MemoryInfo memory = MemoryInfo.collect();
        if (memory.shmFreeBytes() >= 0 && bytes > memory.shmFreeBytes()) {
            throw usage(spec, what + " = " + Sizes.rounded(bytes) + " of slot files (expected: at most the "
                    + Sizes.rounded(memory.shmFreeBytes()) + " free in " + memory.shmDir() + ")");
        }
    }

    /** @throws CommandLine.ParameterException unless {@code file} is a readable regular file */
    public static void readableFile(CommandSpec spec, String option, Path file) {
        if (file != null && !(Files.isRegularFile(file) && Files.isReadable(file))) {
            throw usage(spec, option + "=" + file + " (expected: a readable file)");
        }
    }

    /** @throws CommandLine.ParameterException unless the directory {@code file} would be written to exists */
    public static void writableParent(CommandSpec spec, String option, Path file) {
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw usage(spec, option + "=" + file + " (expected: a file in an existing, writable directory)");
        }
    }

    /** @return a usage error of the command of {@code spec} (exit code 2). */
    public static CommandLine.ParameterException usage(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
