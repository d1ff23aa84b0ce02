package io.memfabric.cli.bench;

import io.memfabric.cli.Converters;
import io.memfabric.cli.local.LocalRanks;
import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code memfabric bench bm}: upstream's {@code bm_perf_benchmark} (reference §10.1) on local rank processes. Rank 0
 * copies {@code batch} blocks per iteration, {@code count} iterations, in each direction, while the other ranks wait;
 * afterwards it reads the destination back and counts wrong bytes. The same run measures the references with
 * {@code shared/bench/peers.sh} (memcpy and UCX posix for same-host routes, process_vm_writev for cma, iperf3 and UCX
 * tcp for tcp) and reports ratios.
 */
@Command(name = "bm", mixinStandardHelpOptions = true,
        description = {"BigMemory copy bandwidth and latency between local rank processes (upstream "
            + "bm_perf_benchmark), with references measured in the same run."})
final class BmBench implements Callable<Integer> {
    private static final List<String> ALL = Arrays.stream(BmDirection.values()).map(BmDirection::wireName).toList();

    @Option(names = {"-t", "--type"}, defaultValue = "all", split = ",",
            description = "Directions: h2d d2h h2rd h2rh d2rh d2rd rh2d rh2h rd2h rd2d, or all (default: all).")
    List<String> types;

    @Option(names = {"-s", "--block"}, defaultValue = "4k,64k,1m,64m", split = ",",
            converter = Converters.Size.class, description = "Block sizes (default: 4k,64k,1m,64m).")
    List<Long> blocks;

    @Option(names = {"--cc", "--count"}, defaultValue = "0",
            description = "Iterations per test; 0 = as many as move about 2 GiB, 10..100000 (default: 0).")
    int count;

    @Option(names = {"--bs", "--batch"}, defaultValue = "1", description = "Blocks per iteration (default: 1).")
    int batch;

    @Option(names = {"--ws", "--ranks"}, defaultValue = "2", description = "Rank processes (default: 2).")
    int ranks;

    @Option(names = "--route", description = "Force a route: shm, cma or tcp (default: the best available).")
    String route;

    @Option(names = "--json", description = "Print JSON Lines, one object per result row.")
    boolean json;

    @Option(names = "--plot", description = "Draw bandwidth against block size into this PNG file.")
    Path plot;

    @Option(names = "--peers", description = "Path of shared/bench/peers.sh ('none': no references).")
    String peers;

    @Option(names = "--quick", description = "Pass --quick to peers.sh.")
    boolean quick;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<String> directions = types.contains("all") ? ALL : types;
        for (String t : directions) {
            if (!ALL.contains(t)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--type=" + t + " (expected: one of "
                        + ALL + " or all)");
            }
        }
        if (ranks < 2 || batch < 1 || count < 0 || blocks.stream().anyMatch(b -> b < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "ranks=" + ranks + " batch=" + batch
                    + " count=" + count + " blocks=" + blocks + " (expected: ranks >= 2, batch >= 1, count >= 0, "
                    + "blocks >= 1)");
        }
        long maxBytes = blocks.stream().mapToLong(b -> b * batch).max().orElseThrow();
        long slot = Math.max(64L << 20, (maxBytes + (2L << 20) - 1) & -(2L << 20));
        List<Map<String, String>> results = new ArrayList<>();
        try (StoreServer store = StoreServer.start(StoreServerOptions.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).build())) {
            System.err.printf("bench bm: %d ranks, blocks %s, batch %d, route %s, slots of %d MiB%n", ranks, blocks,
                    batch, route == null ? "auto" : route, slot >> 20);
            try (LocalRanks local = LocalRanks.start(ranks, "bench-bm-rank", r -> rankArgs(store, r, directions,
                    slot), r -> Map.of(), List.of("-Xmx512m", "-XX:+UseSerialGC",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"))) {
                int exited = 0;
                int failed = 0;
                while (exited < local.count()) {
                    LocalRanks.Line line = local.next(1_800_000);
                    if (line == null) {
                        System.err.println("bench bm: no result for 30 minutes; stopping");
                        return 1;
                    }
                    if (line.isExit()) {
                        exited++;
                        failed += line.exitCode() == 0 ? 0 : 1;
                    } else if (line.line().startsWith("result ")) {
                        Map<String, String> f = PeerReferences.fields(line.line());
                        results.add(f);
                        System.err.printf("bench bm: %-5s %8s x%d: %.2f GB/s%n", f.get("type"),
                                f.get("block"), Integer.parseInt(f.get("batch")), gbps(f));
                    }
                }
                if (failed > 0) {
                    System.err.println("bench bm: " + failed + " rank(s) failed");
                    return 1;
                }
            }
        }
        String effectiveRoute = results.stream().map(f -> f.get("route")).filter(r -> !r.equals("local"))
                .findFirst().orElse(route == null ? "shm" : route);
        PeerReferences references = PeerReferences.run(PeerReferences.locate(peers), referenceGroups(effectiveRoute));
        BenchReport report = new BenchReport("bm");
        long wrongTotal = 0;
        for (Map<String, String> f : results) {
            long block = Long.parseLong(f.get("block"));
            long bytes = Long.parseLong(f.get("bytes"));
            long ns = Long.parseLong(f.get("ns"));
            int n = Integer.parseInt(f.get("count"));
            long wrong = Long.parseLong(f.get("wrong"));
            wrongTotal += wrong;
            double gbps = gbps(f);
            BenchReport.Row row = report.row(f.get("type")).put("rank", Integer.parseInt(f.get("rank")))
                    .put("route", f.get("route")).put("blockBytes", block).put("batch", batch).put("count", n)
                    .put("totalKB", bytes / 1000).put("totalUs", ns / 1000).put("avgUs", ns / 1e3 / n)
                    .put("gbps", gbps).put("p50Us", Long.parseLong(f.get("p50ns")) / 1e3)
                    .put("p99Us", Long.parseLong(f.get("p99ns")) / 1e3).put("wrongBytes", wrong);
            Reference ref = reference(references, f.get("route"), f.get("type").startsWith("r"), block * batch);
            if (ref != null) {
                row.put("reference", ref.name).put("refGbps", ref.gbps).put("ratio", gbps / ref.gbps);
            }
            Reference peer = peerReference(references, f.get("route"), block * batch);
            if (peer != null) {
                row.put("peer", peer.name).put("peerGbps", peer.gbps).put("vsPeer", gbps / peer.gbps);
            }
            Reference latency = latencyReference(references, f.get("route"), block * batch);
            if (latency != null) {
                double p50Us = Long.parseLong(f.get("p50ns")) / 1e3;
                row.put("refP50Us", latency.gbps).put("latRatio", p50Us / latency.gbps);
            }
        }
        if (json) {
            report.printJson(System.out);
        } else {
            System.out.printf("copy_size=%s copy_count=%s batch_size=%d ranks=%d (BW in GB/s, 1 GB = 1e9 B)%n",
                    blocks, count == 0 ? "auto" : count, batch, ranks);
            report.printTable(System.out);
        }
        if (plot != null) {
            drawPlot(results, plot);
            System.err.println("bench bm: plot written to " + plot.toAbsolutePath());
        }
        return wrongTotal == 0 ? 0 : 1;
    }

    private List<String> rankArgs(StoreServer store, int rank, List<String> directions, long slot) {
        List<String> args = new ArrayList<>(List.of("--store", store.url().toString(), "--ranks",
                String.valueOf(ranks), "--rank", String.valueOf(rank), "--types", String.join(",", directions),
                "--blocks", String.join(",", blocks.stream().map(String::valueOf).toList()),
                "--count", String.valueOf(count), "--batch", String.valueOf(batch), "--slot", String.valueOf(slot)));
        if (route != null) {
            args.addAll(List.of("--route", route));
        }
        return args;
    }

    private List<String> referenceGroups(String effectiveRoute) {
        List<String> groups = new ArrayList<>(switch (effectiveRoute) {
            case "tcp" -> List.of("iperf", "ucx", "tcp");
            case "cma" -> List.of("cma");
            default -> List.of("memcpy", "ucx");
        });
        if (quick) {
            groups.add("--quick");
        }
        return groups;
    }

    private record Reference(String name, double gbps) {
    }

    /**
     * The reference of a bandwidth figure: the physical limit of its route at the same size. Same-host copies of at
     * least the copy engine's split size run on two threads, so their limit is {@code memcpy threads=2}.
     */
    private static Reference reference(PeerReferences refs, String route, boolean get, long bytes) {
        String size = String.valueOf(bytes);
        double value;
        switch (route) {
            case "tcp" -> {
                value = refs.value("iperf3", Map.of(), "gbps");
                return Double.isNaN(value) ? null : new Reference("iperf3", value);
            }
            case "cma" -> {
                String name = get ? "cma_read" : "cma_write";
                value = refs.value(name, Map.of("size", size), "gbps");
                return Double.isNaN(value) ? null : new Reference(name + " " + size, value);
            }
            default -> {
                String threads = bytes >= CopyEngineOptions.SHM_SPLIT_BYTES_DEFAULT ? "2" : "1";
                value = refs.value("memcpy", Map.of("size", size, "threads", threads), "gbps");
                return Double.isNaN(value) ? null : new Reference("memcpy " + size + " x" + threads, value);
            }
        }
    }

    /** The peer tool doing the same job: UCX {@code ucp_put_bw} (posix) same host, {@code tag_bw} for tcp. */
    private static Reference peerReference(PeerReferences refs, String route, long bytes) {
        String size = String.valueOf(bytes);
        boolean tcp = route.equals("tcp");
        double value = refs.value("ucx", Map.of("tls", tcp ? "tcp" : "posix", "test", tcp ? "tag_bw" : "ucp_put_bw",
                "size", size), "gbps");
        return Double.isNaN(value) || route.equals("local") ? null : new Reference("ucx " + (tcp ? "tcp" : "posix"),
                value);
    }

    /**
     * The latency reference of a small copy (at most 4 KiB): UCX posix {@code ucp_put_lat} same host (one way), the C
     * busy-poll TCP round trip for tcp. The value is in microseconds.
     */
    private static Reference latencyReference(PeerReferences refs, String route, long bytes) {
        if (bytes > 4096 || route.equals("local")) {
            return null;
        }
        double value = route.equals("tcp") ? refs.value("tcp_rtt", Map.of("mode", "spin"), "p50_us")
                : refs.value("ucx", Map.of("tls", "posix", "test", "ucp_put_lat"), "usec");
        return Double.isNaN(value) ? null : new Reference(route.equals("tcp") ? "tcp_rtt spin" : "ucx put_lat", value);
    }

    private static double gbps(Map<String, String> f) {
        return Long.parseLong(f.get("bytes")) / (double) Long.parseLong(f.get("ns"));
    }

    private static void drawPlot(List<Map<String, String>> results, Path file) throws Exception {
        XYChart chart = new XYChartBuilder().width(1000).height(600).title("memfabric bench bm")
                .xAxisTitle("block size (bytes, log scale)").yAxisTitle("GB/s (1e9 B/s)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Map<String, String> f : results) {
            series.computeIfAbsent(f.get("type") + " (" + f.get("route") + ")", k -> new ArrayList<>())
                    .add(new double[] {Long.parseLong(f.get("block")), gbps(f)});
        }
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            chart.addSeries(e.getKey(), x, y);
        }
        String name = file.toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }
}
