package io.memfabric.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * The C programs of {@code shared/bench/src} ({@code memcpy_bw}, {@code cma_bw}), built the way {@code peers.sh}
 * builds them and into the same place ({@code ${TMPDIR:-/tmp}/memfabric-peers/bin}, rebuilt when a source is newer),
 * so that a benchmark can run them at its own sizes and either tool reuses the other's binary.
 *
 * <p>Thread safety: not thread safe; confined to the benchmark's main thread.
 */
final class PeerPrograms {
    private final Path sources;
    private final Path binaries;

    /**
     * @param script the {@code peers.sh} whose {@code src/} holds the programs
     */
    PeerPrograms(Path script) {
        String tmp = System.getenv("TMPDIR");
        this.sources = script.toAbsolutePath().getParent().resolve("src");
        this.binaries = Path.of(tmp == null || tmp.isBlank() ? "/tmp" : tmp, "memfabric-peers", "bin");
    }

    /**
     * @param program e.g. {@code memcpy_bw}
     * @return the program's binary, built first when it is missing or older than its sources
     * @throws IOException saying why it cannot be had (no source, no {@code gcc}, a compile error)
     */
    Path binary(String program) throws IOException {
        Path source = sources.resolve(program + ".c");
        Path header = sources.resolve("common.h");
        Path binary = binaries.resolve(program);
        if (!Files.isRegularFile(source)) {
            throw new IOException("no source " + source);
        }
        if (Files.isExecutable(binary) && !newer(source, binary) && !(Files.exists(header) && newer(header, binary))) {
            return binary;
        }
        Files.createDirectories(binaries);
        Path partial = binaries.resolve(program + "." + ProcessHandle.current().pid());
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-std=gnu11", "-pthread", "-o", partial.toString(),
                    source.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("gcc not found (" + e.getMessage() + ")", e);
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!gcc.waitFor(2, TimeUnit.MINUTES) || gcc.exitValue() != 0) {
                gcc.destroyForcibly();
                Files.deleteIfExists(partial);
                throw new IOException("gcc failed on " + source + ": " + output.strip().lines().reduce((a, b) -> b)
                        .orElse("no output"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gcc.destroyForcibly();
            throw new IOException("interrupted while compiling " + source, e);
        }
        Files.move(partial, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return binary;
    }

    private static boolean newer(Path a, Path b) throws IOException {
        return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b)) > 0;
    }
}
