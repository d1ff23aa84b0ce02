package io.memfabric.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A private directory on the shared-memory file system for one test, so that tests never see (or clean) the slot
 * files of anything else on the host. Deleted with all its files by {@link #close()}, which tests call from
 * {@code @AfterEach}, so files are removed even when a test fails.
 */
final class ShmTestDirectory implements AutoCloseable {
    private static final Path SHM = Path.of(MemoryConfig.SHM_DIR_DEFAULT);

    private final Path path;

    private ShmTestDirectory(Path path) {
        this.path = path;
    }

    static ShmTestDirectory create() {
        try {
            return new ShmTestDirectory(Files.createTempDirectory(SHM, "mftest-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path() {
        return path;
    }

    ShmOptions options() {
        return ShmOptions.fromConfig().withDirectory(path);
    }

    long fileCount() {
        try (Stream<Path> files = Files.list(path)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
