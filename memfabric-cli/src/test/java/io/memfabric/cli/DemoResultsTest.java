package io.memfabric.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's verdict comes from every rank's two checks; its table from their timings. */
@Timeout(10)
class DemoResultsTest {
    @Test
    void everyRankMustReportBothChecks() {
        DemoResults results = new DemoResults(2);
        assertEquals("  rank 0: direct read of own HOST slot: OK",
                results.verify(0, "verify wrong=0 check=direct read of own HOST slot"));
        results.verify(0, "verify wrong=0 check=G2H of own DEVICE slot");
        results.verify(1, "verify wrong=0 check=direct read of own HOST slot");
        assertFalse(results.complete(), "rank 1 has one check of two");
        assertEquals("  rank 1: G2H of own DEVICE slot: 3 WRONG BYTES",
                results.verify(1, "verify wrong=3 check=G2H of own DEVICE slot"));
        assertTrue(results.complete());
        assertEquals(3, results.wrongBytes());
    }

    @Test
    void theTableShowsGigabytesPerSecondPerRankAndStep() {
        DemoResults results = new DemoResults(2);
        results.timing(0, "timing bytes=2000000000 ns=1000000000 step=H2G own DEVICE");
        results.timing(1, "timing bytes=1000000000 ns=1000000000 step=H2G own DEVICE");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        results.printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("H2G own DEVICE"), lines.get(0));
        assertTrue(lines.get(1).matches("0 +2\\.00"), lines.get(1));
        assertTrue(lines.get(2).matches("1 +1\\.00"), lines.get(2));
    }
}
