package io.memfabric.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the ranks of {@code memfabric demo} reported: each rank's timed steps ({@code timing …} lines) and the wrong
 * bytes each of its two checks found ({@code verify …} lines), and the bandwidth table printed from them.
 *
 * <p>Thread safety: confined to the demo's main thread.
 */
final class DemoResults {
    /** Checks each rank runs: a direct read of its HOST slot and a G2H of its DEVICE slot. */
    static final int CHECKS_PER_RANK = 2;

    private final int ranks;
    private final Map<Integer, Map<String, long[]>> timings = new TreeMap<>();
    private final Map<Integer, Map<String, Long>> checks = new TreeMap<>();

    DemoResults(int ranks) {
        this.ranks = ranks;
    }

    /** Records a {@code timing bytes=… ns=… step=…} line of {@code rank}. */
    void timing(int rank, String line) {
        Map<String, String> f = fields(line);
        timings.computeIfAbsent(rank, r -> new LinkedHashMap<>()).put(f.get("step"),
                new long[] {Long.parseLong(f.get("bytes")), Long.parseLong(f.get("ns"))});
    }

    /**
     * Records a {@code verify wrong=… check=…} line of {@code rank}.
     *
     * @return the line to show, e.g. {@code rank 1: G2H of own DEVICE slot: OK}
     */
    String verify(int rank, String line) {
        Map<String, String> f = fields(line);
        long wrong = Long.parseLong(f.get("wrong"));
        checks.computeIfAbsent(rank, r -> new LinkedHashMap<>()).put(f.get("check"), wrong);
        return "  rank " + rank + ": " + f.get("check") + ": " + (wrong == 0 ? "OK" : wrong + " WRONG BYTES");
    }

    /** @return the wrong bytes of all checks. */
    long wrongBytes() {
        return checks.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
    }

    /** @return whether every rank reported every check. */
    boolean complete() {
        return checks.size() == ranks && checks.values().stream().allMatch(m -> m.size() == CHECKS_PER_RANK);
    }

    /** Prints GB/s per rank and step (nothing when no rank timed anything). */
    void printTable(PrintStream out) {
        if (timings.isEmpty()) {
            return;
        }
        List<String> steps = new ArrayList<>(timings.values().iterator().next().keySet());
        out.println();
        out.printf("%-6s", "rank");
        for (String step : steps) {
            out.printf("  %18s", step);
        }
        out.println("   (GB/s, 1 GB = 1e9 B)");
        for (Map.Entry<Integer, Map<String, long[]>> e : timings.entrySet()) {
            out.printf("%-6d", e.getKey());
            for (String step : steps) {
                long[] t = e.getValue().get(step);
                out.printf("  %18s", t == null ? "-" : String.format(Locale.ROOT, "%.2f", t[0] / (double) t[1]));
            }
            out.println();
        }
        out.println();
    }

    /** {@code key=value} words; the last key ({@code step} or {@code check}) takes the rest of the line. */
    static Map<String, String> fields(String line) {
        Map<String, String> map = new LinkedHashMap<>();
        String rest = line.substring(line.indexOf(' ') + 1);
        while (!rest.isEmpty()) {
            int eq = rest.indexOf('=');
            String key = rest.substring(0, eq);
            if (key.equals("step") || key.equals("check")) {
                map.put(key, rest.substring(eq + 1));
                break;
            }
            int space = rest.indexOf(' ', eq);
            map.put(key, space < 0 ? rest.substring(eq + 1) : rest.substring(eq + 1, space));
            rest = space < 0 ? "" : rest.substring(space + 1);
        }
        return map;
    }
}
