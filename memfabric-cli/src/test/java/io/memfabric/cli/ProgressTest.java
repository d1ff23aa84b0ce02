package io.memfabric.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress: plain lines off a terminal, a bar with an ETA on one, and reports kept out of the bar's way. */
@Timeout(30)
class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private List<String> printed() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void offATerminalEachStepIsOnePlainLine() {
        try (Progress progress = Progress.start("bench bm: measuring", 3, out, false)) {
            progress.step("h2rd 4K x1: 12.31 GB/s");
            progress.note("measuring rd2h 4K");
            progress.report("  a kept line");
            progress.step("rd2h 4K x1: 11.00 GB/s");
            assertEquals(2, progress.done());
        }
        assertEquals(List.of("bench bm: measuring: [1/3] h2rd 4K x1: 12.31 GB/s",
                "bench bm: measuring: measuring rd2h 4K", "  a kept line",
                "bench bm: measuring: [2/3] rd2h 4K x1: 11.00 GB/s"), printed());
    }

    @Test
    void onATerminalABarShowsTheStepsAndAnEtaAndReportsFollowIt() throws Exception {
        List<String> rendered = new CopyOnWriteArrayList<>();
        try (Progress progress = Progress.withBar("memfabric demo", 4, out,
                new DelegatingProgressBarConsumer(rendered::add, 120))) {
            progress.step("rank 0: joining");
            progress.report("  rank 0: G2H of own DEVICE slot: OK");
            Thread.sleep(300);
            progress.step("rank 1: joining");
            assertEquals(List.of(), printed(), "nothing printed under the bar");
        }
        String last = rendered.get(rendered.size() - 1);
        assertTrue(last.startsWith("memfabric demo"), last);
        assertTrue(last.contains("2/4"), last);
        assertTrue(last.matches(".*\\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\).*"), "elapsed / ETA: " + last);
        assertTrue(last.contains("rank 1: joining"), last);
        assertEquals(List.of("  rank 0: G2H of own DEVICE slot: OK"), printed(), "the report after the bar");
    }

    @Test
    void closeIsIdempotent() {
        Progress progress = Progress.start("x", 1, out, false);
        progress.close();
        progress.close();
        assertEquals(List.of(), printed());
    }
}
