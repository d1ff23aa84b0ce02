package io.memfabric.copy;

import io.memfabric.testsupport.RankProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Child rank JVMs ({@link CopyEngineChild}) for cross-process tests: started, told about each other, driven by
 * numbered commands, and killed by {@link #close()} (also when a test fails).
 */
final class CrossProcessFixture implements AutoCloseable {
    /** Address space per rank and type in these tests. */
    static final long STRIDE = 256L << 20;
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern READY = Pattern.compile("^READY (.+)$");

    final String fabric = "xp" + ProcessHandle.current().pid() + "n" + (System.nanoTime() % 1_000_000);
    private final List<RankProcess> children = new ArrayList<>();
    private final List<PeerDescriptor> descriptors = new ArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();

    /**
     * Starts ranks {@code 1..hostIds.length}; {@code hostIds[i]} is rank i+1's {@code MEMFABRIC_HOST_ID} or
     * {@code null} for the real host id. Each child learns about the others.
     */
    CrossProcessFixture(String testName, int worldSize, long hostBytes, long deviceBytes, String... hostIds) {
        try {
            for (int i = 0; i < hostIds.length; i++) {
                int rank = i + 1;
                RankProcess.Builder b = RankProcess.builder(CopyEngineChild.class).testName(testName)
                        .name("rank-" + rank).args(fabric, Integer.toString(rank), Integer.toString(worldSize),
                                Long.toString(hostBytes), Long.toString(deviceBytes), "-");
                if (hostIds[i] != null) {
                    b.env("MEMFABRIC_HOST_ID", hostIds[i]);
                }
                children.add(b.start());
            }
            for (RankProcess child : children) {
                Matcher m = child.awaitLine(READY, TIMEOUT);
                descriptors.add(PeerDescriptor.decode(m.group(1)));
            }
            for (int i = 0; i < children.size(); i++) {
                for (int j = 0; j < children.size(); j++) {
                    if (i != j) {
                        expectOk(call(i + 1, "PEER " + descriptors.get(j).encode()));
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** @return rank's descriptor. */
    PeerDescriptor descriptor(int rank) {
        return descriptors.get(rank - 1);
    }

    RankProcess process(int rank) {
        return children.get(rank - 1);
    }

    /** Sends a command to a rank and returns its answer. */
    String call(int rank, String command) {
        int n = sequence.incrementAndGet();
        RankProcess child = children.get(rank - 1);
        int from = child.lines().size();
        child.send(n + " " + command);
        Matcher m = child.awaitLine(Pattern.compile("^R" + n + " (.*)$"), from, TIMEOUT);
        return m.group(1);
    }

    /** @return the CRC32C of a range of a rank's own slot, computed there. */
    long crc(int rank, String type, long offset, long length) {
        String answer = call(rank, "CRC " + type + " " + offset + " " + length);
        if (!answer.startsWith("CRC ")) {
            throw new AssertionError("rank " + rank + " answered " + answer);
        }
        return Long.parseLong(answer.substring(4));
    }

    static void expectOk(String answer) {
        if (!answer.equals("OK")) {
            throw new AssertionError("expected OK, got " + answer);
        }
    }

    /** Kills the children and deletes the slot files a killed child leaves behind. */
    @Override
    public void close() {
        for (RankProcess child : children) {
            child.close();
        }
        deleteSlotFiles(fabric);
    }

    /** Deletes this test's slot files ({@code memfabric-<fabric>-...}) from the shared-memory directory. */
    static void deleteSlotFiles(String fabric) {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(
                io.memfabric.memory.MemoryConfig.shmDir())) {
            for (java.nio.file.Path file : files.toList()) {
                if (file.getFileName().toString().startsWith("memfabric-" + fabric + "-")) {
                    java.nio.file.Files.deleteIfExists(file);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
