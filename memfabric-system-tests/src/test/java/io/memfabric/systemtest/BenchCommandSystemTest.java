package io.memfabric.systemtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end benchmarks run and report what they measured (figures are not checked: benchmarks are not tests —
 * only that every row is there, well formed, every copied byte verified, each row beside its reference when there is
 * one, and the plot drawn).
 */
@Timeout(300)
class BenchCommandSystemTest {
    /**
     * A stand-in for {@code shared/bench/peers.sh} with fixed figures: memcpy at its usual sizes, and ucx
     * unavailable. It has no {@code src/}, so {@code bench bm} cannot run memcpy_bw at its own sizes and falls back to
     * this script's memcpy group.
     */
    private static final String FAKE_PEERS = """
            #!/usr/bin/env bash
            case "$1" in
            memcpy)
                for t in 1 2; do for s in 4096 65536 1048576 67108864 1073741824; do
                    echo "memcpy size=$s threads=$t gbps=100.00"
                done; done ;;
            ucx) echo "ucx unavailable reason=ucx_perftest_not_installed"; exit 1 ;;
            *) echo "peers.sh: unknown group '$1'" >&2; exit 2 ;;
            esac
            """;

    @Test
    void benchBmReportsEveryDirectionAsJsonWithNoWrongBytes() {
        CliRun run = CliRun.of("bench", "bm", "-t", "all", "-s", "4k", "--cc", "20", "--peers", "none", "--json");
        assertEquals(0, run.exit(), run.toString());
        List<String> rows = run.jsonRows();
        assertEquals(10, rows.size(), "one row per direction: " + rows);
        for (String row : rows) {
            for (String key : List.of("\"bench\":\"bm\"", "\"test\":", "\"route\":", "\"blockBytes\":4096",
                    "\"batch\":1", "\"count\":20", "\"gbps\":", "\"p50Us\":", "\"p99Us\":", "\"wrongBytes\":0")) {
                assertTrue(row.contains(key), key + " missing in " + row);
            }
        }
        assertTrue(run.errLines().contains("bench bm: no references (--peers none): rows without ratios"),
                run.toString());
        assertTrue(run.errLines().stream().noneMatch(l -> l.contains("WARN")), run.toString());
        assertTrue(run.errLines().contains("bench bm: starting ranks: [4/4] rank 0: joined")
                || run.errLines().contains("bench bm: starting ranks: [4/4] rank 1: joined"), "progress: " + run);
        assertTrue(run.errLines().stream().anyMatch(l -> l.startsWith("bench bm: measuring: [20/20] ")),
                "one step per warm-up and per test: " + run);
    }

    @Test
    void benchBmBatchesOverTcp() {
        CliRun run = CliRun.of("bench", "bm", "-t", "h2rd,rd2h", "-s", "64k", "--bs", "4", "--cc", "10", "--route",
                "tcp", "--peers", "none", "--json");
        assertEquals(0, run.exit(), run.toString());
        List<String> rows = run.jsonRows();
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.stream().allMatch(r -> r.contains("\"route\":\"tcp\"") && r.contains("\"wrongBytes\":0")
                && r.contains("\"batch\":4")), rows.toString());
    }

    @Test
    void benchBmComparesEachRowWithItsReferenceWarnsOfMissingOnesAndPlots(@TempDir Path dir) throws Exception {
        Path peers = Files.writeString(dir.resolve("peers.sh"), FAKE_PEERS);
        Files.setPosixFilePermissions(peers, PosixFilePermissions.fromString("rwx------"));
        Path plot = dir.resolve("bm.png");
        CliRun run = CliRun.of("bench", "bm", "-t", "h2rh,rh2h", "-s", "4k,64k", "--cc", "20", "--peers",
                peers.toString(), "--json", "--plot", plot.toString());
        assertEquals(0, run.exit(), run.toString());
        List<String> rows = run.jsonRows();
        assertEquals(4, rows.size(), rows.toString());
        for (String row : rows) {
            String size = row.contains("\"blockBytes\":4096") ? "4096" : "65536";
            assertTrue(row.contains("\"reference\":\"memcpy " + size + " x1\",\"refGbps\":100,\"ratio\":"), row);
        }
        List<String> warnings = run.errLines().stream().filter(l -> l.contains("WARN")).toList();
        assertEquals(1, warnings.size(), "one WARN line: " + run);
        assertTrue(warnings.get(0).startsWith("bench bm: WARN some references unavailable: memcpy_bw at the measured "
                + "sizes (no source "), warnings.get(0));
        assertTrue(warnings.get(0).endsWith("; ucx (ucx_perftest_not_installed)"), warnings.get(0));

        assertTrue(run.errLines().contains("bench bm: plot written to " + plot.toAbsolutePath()), run.toString());
        byte[] png = Files.readAllBytes(plot);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), "a PNG file");
    }

    @Test
    void benchStoreReportsBarrierAndRankFigures() {
        CliRun run = CliRun.of("bench", "store", "--only", "barrier,ranks", "--ranks", "2,4", "--rounds", "20",
                "--sim-ranks", "64", "--json");
        assertEquals(0, run.exit(), run.toString());
        List<String> rows = run.jsonRows();
        assertEquals(3, rows.size(), rows.toString());
        assertTrue(rows.get(0).contains("\"test\":\"barrier\"") && rows.get(0).contains("\"ranks\":2")
                && rows.get(0).contains("\"p99Us\":"), rows.get(0));
        assertTrue(rows.get(1).contains("\"test\":\"barrier\"") && rows.get(1).contains("\"ranks\":4"), rows.get(1));
        assertTrue(rows.get(2).contains("\"ranks\":64") && rows.get(2).contains("\"seconds\":"), rows.get(2));
        assertTrue(run.errLines().stream().anyMatch(l -> l.startsWith("bench store: barrier: [2/2] 4 ranks: p50 ")),
                "progress: " + run);
    }
}
