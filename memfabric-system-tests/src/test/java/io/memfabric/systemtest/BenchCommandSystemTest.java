package io.memfabric.systemtest;

import io.memfabric.cli.MemFabricCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end benchmarks run and report what they measured (figures are not checked: benchmarks are not tests —
 * only that every row is there, well formed, and every copied byte verified).
 */
@Timeout(300)
class BenchCommandSystemTest {
    @Test
    void benchBmReportsEveryDirectionAsJsonWithNoWrongBytes() {
        List<String> rows = runCapturingStdout("bench", "bm", "-t", "all", "-s", "4k", "--cc", "20",
                "--peers", "none", "--json");
        assertEquals(10, rows.size(), "one row per direction: " + rows);
        for (String row : rows) {
            for (String key : List.of("\"bench\":\"bm\"", "\"test\":", "\"route\":", "\"blockBytes\":4096",
                    "\"batch\":1", "\"count\":20", "\"gbps\":", "\"p50Us\":", "\"p99Us\":", "\"wrongBytes\":0")) {
                assertTrue(row.contains(key), key + " missing in " + row);
            }
        }
    }

    @Test
    void benchBmBatchesOverTcp() {
        List<String> rows = runCapturingStdout("bench", "bm", "-t", "h2rd,rd2h", "-s", "64k", "--bs", "4",
                "--cc", "10", "--route", "tcp", "--peers", "none", "--json");
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.stream().allMatch(r -> r.contains("\"route\":\"tcp\"") && r.contains("\"wrongBytes\":0")
                && r.contains("\"batch\":4")), rows.toString());
    }

    @Test
    void benchStoreReportsBarrierAndRankFigures() {
        List<String> rows = runCapturingStdout("bench", "store", "--only", "barrier,ranks", "--ranks", "2,4",
                "--rounds", "20", "--sim-ranks", "64", "--json");
        assertEquals(3, rows.size(), rows.toString());
        assertTrue(rows.get(0).contains("\"test\":\"barrier\"") && rows.get(0).contains("\"p99Us\":"), rows.get(0));
        assertTrue(rows.get(2).contains("\"ranks\":64") && rows.get(2).contains("\"seconds\":"), rows.get(2));
    }

    private static List<String> runCapturingStdout(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            exit = MemFabricCommand.run(args);
        } finally {
            System.setOut(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, "exit code; output:\n" + text);
        return text.lines().filter(l -> l.startsWith("{")).toList();
    }
}
