package io.memfabric.cli.bench;

import java.util.List;

/**
 * One reference measurement of a benchmark run: either a group of {@code peers.sh} ({@code ucx}, {@code iperf},
 * {@code tcp}, {@code redis}), or one of its C programs run directly at the sizes the benchmark measured
 * ({@code memcpy_bw -t 2 -r 5 -b 128M 4096 1048576}) so that no time goes to sizes nobody asked for; such a job names
 * the group that measures the same at fixed sizes, to run instead when the program cannot be built here.
 *
 * <p>Thread safety: immutable.
 *
 * @param label   what it measures, for progress and warnings, e.g. {@code memcpy 1 thread}
 * @param group   the {@code peers.sh} group that measures it (or the fallback of a program)
 * @param program the C program of {@code shared/bench/src} to run directly, or {@code null} to run the group
 * @param args    the program's arguments, or extra arguments of the group (e.g. {@code --target-port 7000})
 */
record ReferenceJob(String label, String group, String program, List<String> args) {
    /** Checks the arguments and copies the list. */
    ReferenceJob {
        args = List.copyOf(args);
    }

    /** @return a job that runs {@code peers.sh <group> <args>}. */
    static ReferenceJob group(String label, String group, List<String> args) {
        return new ReferenceJob(label, group, null, args);
    }

    /** @return a job that runs {@code <program> <args>}, or the group when the program cannot be built. */
    static ReferenceJob program(String label, String group, String program, List<String> args) {
        return new ReferenceJob(label, group, program, args);
    }
}
