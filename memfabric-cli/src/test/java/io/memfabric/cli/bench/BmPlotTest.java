package io.memfabric.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plot starts at 0 GB/s, labels sizes as 4K/1M/64M and draws a line per reference. */
@Timeout(30)
class BmPlotTest {
    private static Map<String, String> row(String type, String route, long block, double gbps) {
        long ns = 1_000_000;
        return Map.of("type", type, "route", route, "block", String.valueOf(block), "bytes",
                String.valueOf((long) (gbps * ns)), "ns", String.valueOf(ns));
    }

    private static XYChart chart() {
        PeerReferences refs = new PeerReferences();
        refs.add("memcpy size=4096 threads=1 gbps=150.00");
        refs.add("memcpy size=1048576 threads=1 gbps=60.00");
        refs.add("ucx tls=posix test=ucp_put_bw size=1048576 gbps=55.00");
        return BmPlot.chart(List.of(row("h2rh", "shm", 4096, 20), row("h2rh", "shm", 1 << 20, 45),
                row("rh2h", "shm", 4096, 19), row("rh2h", "shm", 1 << 20, 44)), refs, 1);
    }

    @Test
    void theChartHasADirectionLinePerRouteAndAReferenceLinePerKind() {
        XYChart chart = chart();
        assertEquals(List.of("h2rh (shm)", "rh2h (shm)", "reference: memcpy x1", "reference: ucx posix put_bw"),
                List.copyOf(chart.getSeriesMap().keySet()));
        assertArrayEquals(new double[] {12, 20}, chart.getSeriesMap().get("reference: memcpy x1").getXData());
        assertArrayEquals(new double[] {150, 60}, chart.getSeriesMap().get("reference: memcpy x1").getYData());
        assertEquals(0.0, chart.getStyler().getYAxisMin(), "the y axis starts at 0");
        assertEquals(11.0, chart.getStyler().getXAxisMin(), "a whole power of two below the smallest size");
        assertEquals(21.0, chart.getStyler().getXAxisMax(), "and above the largest");
    }

    @Test
    void sizesAreLabelledInPowersOfTwo() {
        assertEquals("4K", BmPlot.sizeLabel(12));
        assertEquals("1M", BmPlot.sizeLabel(20));
        assertEquals("64M", BmPlot.sizeLabel(26));
        assertEquals("64B", BmPlot.sizeLabel(6));
        assertEquals(" ", BmPlot.sizeLabel(12.5), "nothing between powers of two");
        assertEquals("4K", chart().getStyler().getxAxisTickLabelsFormattingFunction().apply(12.0));
    }

    @Test
    void theChartIsWrittenAsPng(@TempDir Path dir) throws Exception {
        Path written = BmPlot.write(chart(), dir.resolve("bm"));
        assertEquals(dir.resolve("bm.png"), written);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(written), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
        assertTrue(Files.size(written) > 10_000, "a drawn chart, not an empty image");
    }
}
