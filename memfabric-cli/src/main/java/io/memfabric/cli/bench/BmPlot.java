package io.memfabric.cli.bench;

import io.memfabric.cli.Sizes;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The PNG plot of {@code bench bm --plot}: bandwidth (GB/s, from 0) against block size, one solid line per direction
 * and route, and a dashed line with diamonds per reference measured in the same run (memcpy, cma, iperf3, UCX), so that
 * the eye reads each figure against its limit. Block sizes are powers of two in practice, so the x axis is log2 of the
 * size and its labels read {@code 4K}, {@code 1M}, {@code 64M}.
 *
 * <p>Thread safety: stateless.
 */
final class BmPlot {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;

    private BmPlot() {
    }

    /**
     * @param rows       the rank's {@code result} lines as fields ({@code type}, {@code route}, {@code block},
     *                   {@code bytes}, {@code ns})
     * @param references the references of the same run (may have no figures)
     * @param batch      blocks per iteration: a reference is taken at the bytes of one iteration
     * @return the chart
     */
    static XYChart chart(List<Map<String, String>> rows, PeerReferences references, int batch) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("memfabric bench bm")
                .xAxisTitle("block size").yAxisTitle("GB/s (1e9 B/s)").build();
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(BmPlot::sizeLabel);
        Map<String, TreeMap<Double, Double>> measured = new LinkedHashMap<>();
        Map<String, TreeMap<Double, Double>> limits = new LinkedHashMap<>();
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        for (Map<String, String> f : rows) {
            long block = Long.parseLong(f.get("block"));
            double x = log2(block);
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            String route = f.get("route");
            measured.computeIfAbsent(f.get("type") + " (" + route + ")", k -> new TreeMap<>()).put(x,
                    Long.parseLong(f.get("bytes")) / (double) Long.parseLong(f.get("ns")));
            long bytes = block * batch;
            for (BmReferences.Reference ref : new BmReferences.Reference[] {
                BmReferences.bandwidth(references, route, f.get("type").startsWith("r"), bytes),
                BmReferences.peer(references, route, bytes)}) {
                if (ref != null) {
                    limits.computeIfAbsent("reference: " + ref.kind(), k -> new TreeMap<>()).put(x, ref.value());
                }
            }
        }
        for (Map.Entry<String, TreeMap<Double, Double>> e : measured.entrySet()) {
            add(chart, e.getKey(), e.getValue()).setMarker(SeriesMarkers.CIRCLE);
        }
        for (Map.Entry<String, TreeMap<Double, Double>> e : limits.entrySet()) {
            XYSeries series = add(chart, e.getKey(), e.getValue());
            series.setLineStyle(SeriesLines.DASH_DASH);
            // A marker too: a reference measured at one size only (UCX at 1M) is a point, not a line.
            series.setMarker(SeriesMarkers.DIAMOND);
        }
        if (!rows.isEmpty()) {
            // Whole powers of two at both ends: XChart sizes the axis labels from the end ticks' labels.
            chart.getStyler().setXAxisMin(Math.floor(minX) - 1);
            chart.getStyler().setXAxisMax(Math.ceil(maxX) + 1);
        }
        return chart;
    }

    /** Writes {@code chart} as a PNG to {@code file} (a missing {@code .png} suffix is added). */
    static Path write(XYChart chart, Path file) throws IOException {
        String name = file.toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        return Path.of(base + ".png");
    }

    /** @return the label of an x value (log2 of a size): {@code 4K} at 12, a blank between powers of two. */
    static String sizeLabel(double x) {
        double rounded = Math.rint(x);
        if (Math.abs(x - rounded) > 1e-6 || rounded < 0 || rounded > 62) {
            return " ";
        }
        return Sizes.format(1L << (long) rounded);
    }

    private static XYSeries add(XYChart chart, String name, TreeMap<Double, Double> points) {
        double[] x = points.keySet().stream().mapToDouble(Double::doubleValue).toArray();
        double[] y = points.values().stream().mapToDouble(Double::doubleValue).toArray();
        return chart.addSeries(name, x, y);
    }

    private static double log2(long value) {
        return Math.log(value) / Math.log(2);
    }
}
