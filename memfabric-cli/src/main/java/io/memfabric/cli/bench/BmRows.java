package io.memfabric.cli.bench;

import java.util.List;
import java.util.Map;

/**
 * The result rows of {@code bench bm}: rank 0's {@code result} lines turned into report rows (bandwidth, latency,
 * wrong bytes) with the reference of each row beside it and the ratio to it ({@link BmReferences}).
 *
 * <p>Thread safety: stateless.
 */
final class BmRows {
    private BmRows() {
    }

    /**
     * @param results    rank 0's {@code result} lines as fields
     * @param references the references of the same run (may have no figures: the reference columns stay empty)
     * @param batch      blocks per iteration
     * @return the report, one row per result, in order
     */
    static BenchReport report(List<Map<String, String>> results, PeerReferences references, int batch) {
        BenchReport report = new BenchReport("bm");
        for (Map<String, String> f : results) {
            long block = Long.parseLong(f.get("block"));
            long bytes = Long.parseLong(f.get("bytes"));
            long ns = Long.parseLong(f.get("ns"));
            int n = Integer.parseInt(f.get("count"));
            double gbps = gbps(f);
            double p50Us = Long.parseLong(f.get("p50ns")) / 1e3;
            String route = f.get("route");
            BenchReport.Row row = report.row(f.get("type")).put("rank", Integer.parseInt(f.get("rank")))
                    .put("route", route).put("blockBytes", block).put("batch", batch).put("count", n)
                    .put("totalKB", bytes / 1000).put("totalUs", ns / 1000).put("avgUs", ns / 1e3 / n)
                    .put("gbps", gbps).put("p50Us", p50Us)
                    .put("p99Us", Long.parseLong(f.get("p99ns")) / 1e3)
                    .put("wrongBytes", Long.parseLong(f.get("wrong")));
            long iteration = block * batch;
            BmReferences.Reference ref = BmReferences.bandwidth(references, route, f.get("type").startsWith("r"),
                    iteration);
            if (ref != null) {
                row.put("reference", ref.name()).put("refGbps", ref.value()).put("ratio", gbps / ref.value());
            }
            BmReferences.Reference peer = BmReferences.peer(references, route, iteration);
            if (peer != null) {
                row.put("peer", peer.name()).put("peerGbps", peer.value()).put("vsPeer", gbps / peer.value());
            }
            BmReferences.Reference latency = BmReferences.latency(references, route, iteration);
            if (latency != null) {
                row.put("refP50Us", latency.value()).put("latRatio", p50Us / latency.value());
            }
        }
        return report;
    }

    /** @return the bytes over the whole timed loop of a result, in GB/s (1e9 B/s). */
    static double gbps(Map<String, String> f) {
        return Long.parseLong(f.get("bytes")) / (double) Long.parseLong(f.get("ns"));
    }

    /** @return the wrong bytes all results found. */
    static long wrongBytes(List<Map<String, String>> results) {
        return results.stream().mapToLong(f -> Long.parseLong(f.get("wrong"))).sum();
    }
}
