package io.memfabric.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rows print as JSON Lines (numbers plain, NaN as null, strings escaped) or as an aligned table. */
@Timeout(10)
class BenchReportTest {
    private static List<String> print(BenchReport report, boolean json) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        if (json) {
            report.printJson(out);
        } else {
            report.printTable(out);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void rowsAreJsonLines() {
        BenchReport report = new BenchReport("bm");
        report.row("h2rd").put("blockBytes", 4096L).put("gbps", 12.3456).put("ratio", Double.NaN)
                .put("reference", "memcpy \"4K\"");
        report.row("rd2h").put("blockBytes", 4096L).put("gbps", 123.4);
        assertEquals(List.of(
                "{\"bench\":\"bm\",\"test\":\"h2rd\",\"blockBytes\":4096,\"gbps\":12.346,\"ratio\":null,"
                        + "\"reference\":\"memcpy \\\"4K\\\"\"}",
                "{\"bench\":\"bm\",\"test\":\"rd2h\",\"blockBytes\":4096,\"gbps\":123}"), print(report, true));
    }

    @Test
    void rowsAreATableWithEveryColumn() {
        BenchReport report = new BenchReport("bm");
        report.row("h2rd").put("gbps", 12.3456);
        report.row("rd2h").put("gbps", 1.0).put("ratio", 0.5);
        assertEquals(List.of("test  gbps    ratio", "h2rd  12.346  -", "rd2h  1.000   0.500"), print(report, false));
    }
}
