package io.memfabric.cli.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds {@code shared/bench/peers.sh}, the script that measures the references of the benchmarks, wherever the project
 * is installed: the {@code --peers} option when given ({@code none} turns references off), else the environment
 * variable {@value #ENV}, else {@code shared/bench/peers.sh} in the nearest directory above the CLI jar or above the
 * working directory that has one (the layout of a checkout with {@code shared/} beside it or above it).
 *
 * <p>Thread safety: immutable.
 *
 * @param path   the script, or {@code null} when there is none to run
 * @param whyNot why there is none (what was looked at, and how to name it), or {@code null} when found
 */
record PeersScript(Path path, String whyNot) {
    /** The environment variable that names the script: {@value}. */
    static final String ENV = "MEMFABRIC_PEERS_SH";
    /** The option value that turns references off. */
    static final String NONE = "none";
    /** Where the script sits below a directory that holds the shared files. */
    private static final Path RELATIVE = Path.of("shared", "bench", "peers.sh");

    /** @return whether there is a script to run. */
    boolean found() {
        return path != null;
    }

    /**
     * Finds the script for this process: the option, its environment, its working directory and its jar.
     *
     * @param option the {@code --peers} value, or {@code null}
     * @throws IllegalArgumentException naming the option or the variable when it names no readable file
     */
    static PeersScript locate(String option) {
        return locate(option, System.getenv(), Path.of("").toAbsolutePath(), codeLocation());
    }

    /**
     * @param option the {@code --peers} value, or {@code null}
     * @param env    the environment
     * @param cwd    the working directory
     * @param jar    the CLI's jar or class directory, or {@code null} when unknown
     * @throws IllegalArgumentException naming the option or the variable when it names no readable file
     */
    static PeersScript locate(String option, Map<String, String> env, Path cwd, Path jar) {
        if (NONE.equals(option)) {
            return new PeersScript(null, "turned off with --peers none");
        }
        if (option != null) {
            return new PeersScript(readable("--peers", Path.of(option)), null);
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new PeersScript(readable(ENV, Path.of(fromEnv)), null);
        }
        Set<Path> tops = new LinkedHashSet<>();
        if (jar != null) {
            tops.add(jar.toAbsolutePath().normalize());
        }
        tops.add(cwd.toAbsolutePath().normalize());
        List<String> looked = new ArrayList<>();
        for (Path top : tops) {
            for (Path dir = top; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(RELATIVE);
                if (Files.isRegularFile(candidate) && Files.isReadable(candidate)) {
                    return new PeersScript(candidate, null);
                }
            }
            looked.add(top.toString());
        }
        return new PeersScript(null, "no " + RELATIVE + " in " + String.join(" or ", looked)
                + " or any directory above; give --peers PATH or set " + ENV);
    }

    private static Path readable(String name, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(name + "=" + file + " (expected: the readable peers.sh of "
                    + "shared/bench, or --peers none)");
        }
        return file.toAbsolutePath().normalize();
    }

    /** @return the jar (or class directory) this class was loaded from, or {@code null}. */
    private static Path codeLocation() {
        try {
            var source = PeersScript.class.getProtectionDomain().getCodeSource();
            return source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
