package io.memfabric.cli;

import io.memfabric.cli.local.LocalRanks;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code memfabric demo}: the main job on an embedded default. Starts a config store and N rank processes on this
 * machine; each runs upstream's BmCpp workflow — H2G of generated data into its own DEVICE slot, G2G to the next
 * rank's DEVICE and HOST slots, barrier, verification by direct reads and by G2H — and the demo prints per-rank
 * verification and a bandwidth table. Exits 1 if any byte is wrong or any rank fails.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the BigMemory workflow on N local rank processes and verifies every byte.",
            "Exit code 0 when every rank verified its data, 1 otherwise."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--ranks", defaultValue = "4", description = "Rank processes (default: ${DEFAULT-VALUE}).")
    int ranks;

    @Option(names = "--size", defaultValue = "256m", converter = Converters.Size.class,
            description = "HOST and DEVICE slot size of each rank; half of it is copied (default: 256m).")
    long size;

    @Option(names = "--route", description = "Force a route: shm, cma or tcp (default: the best available).")
    String route;

    @Option(names = "--rank-heap", defaultValue = "256m", description = "Java heap of each rank (default: 256m).")
    String rankHeap;

    @Option(names = "--verbose", description = "Show the ranks' INFO logs (default: warnings only).")
    boolean verbose;

    private final Map<Integer, Map<String, long[]>> timings = new TreeMap<>();
    private final Map<Integer, Map<String, Long>> checks = new TreeMap<>();

    @Override
    public Integer call() throws Exception {
        if (ranks < 2 || ranks > 64) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--ranks=" + ranks + " (expected: 2..64)");
        }
        if (size < 8192 || size % 8192 != 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--size=" + size + " (expected: a multiple of 8k, at least 8k)");
        }
        PrintStream out = System.out;
        StoreServerOptions storeOptions = StoreServerOptions.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).build();
        int failedRanks = 0;
        try (StoreServer store = StoreServer.start(storeOptions)) {
            out.printf("memfabric demo: %d ranks, %s HOST + %s DEVICE each, route %s, store %s%n", ranks,
                    Sizes.format(size), Sizes.format(size), route == null ? "auto" : route, store.url());
            try (LocalRanks local = LocalRanks.start(ranks, "demo-rank",
                    r -> rankArgs(store.url().toString(), r), r -> Map.of(),
                    List.of("-Xmx" + rankHeap, "-XX:+UseSerialGC",
                            "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + (verbose ? "info" : "warn")))) {
                failedRanks = follow(local, out);
            }
        }
        printResults(out);
        long wrong = checks.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
        boolean complete = checks.size() == ranks && checks.values().stream().allMatch(m -> m.size() == 2);
        if (failedRanks == 0 && wrong == 0 && complete) {
            out.println("memfabric demo: OK — every rank verified every byte");
            return 0;
        }
        out.printf("memfabric demo: FAILED — %d rank(s) failed, %d wrong byte(s)%s%n", failedRanks, wrong,
                complete ? "" : ", some checks missing");
        return 1;
    }

    private List<String> rankArgs(String url, int rank) {
        List<String> args = new ArrayList<>(List.of("--store", url, "--ranks", String.valueOf(ranks), "--rank",
                String.valueOf(rank), "--size", String.valueOf(size)));
        if (route != null) {
            args.addAll(List.of("--route", route));
        }
        return args;
    }

    /** Prints progress and collects results until every rank has exited; returns how many failed. */
    private int follow(LocalRanks local, PrintStream out) throws InterruptedException {
        int exited = 0;
        int failed = 0;
        while (exited < local.count()) {
            LocalRanks.Line line = local.next(600_000);
            if (line == null) {
                out.println("memfabric demo: no progress for 10 minutes; stopping the ranks");
                return local.count() - exited;
            }
            if (line.isExit()) {
                exited++;
                if (line.exitCode() != 0) {
                    failed++;
                    out.printf("  rank %d exited with %d%n", line.rank(), line.exitCode());
                }
                continue;
            }
            String text = line.line();
            if (text.startsWith("progress ")) {
                out.printf("  rank %d: %s%n", line.rank(), text.substring("progress ".length()));
            } else if (text.startsWith("timing ")) {
                Map<String, String> f = fields(text);
                timings.computeIfAbsent(line.rank(), r -> new LinkedHashMap<>()).put(f.get("step"),
                        new long[] {Long.parseLong(f.get("bytes")), Long.parseLong(f.get("ns"))});
            } else if (text.startsWith("verify ")) {
                Map<String, String> f = fields(text);
                long wrong = Long.parseLong(f.get("wrong"));
                checks.computeIfAbsent(line.rank(), r -> new LinkedHashMap<>()).put(f.get("check"), wrong);
                out.printf("  rank %d: %s: %s%n", line.rank(), f.get("check"),
                        wrong == 0 ? "OK" : wrong + " WRONG BYTES");
            }
        }
        return failed;
    }

    /** {@code key=value} words; the last key ({@code step} or {@code check}) takes the rest of the line. */
    private static Map<String, String> fields(String line) {
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

    private void printResults(PrintStream out) {
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
}
