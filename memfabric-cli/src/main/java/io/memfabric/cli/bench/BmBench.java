package io.memfabric.cli.bench;

import io.memfabric.cli.Converters;
import io.memfabric.cli.OptionChecks;
import io.memfabric.cli.Sizes;
import io.memfabric.cli.local.LocalRanks;
import io.memfabric.copy.Route;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code memfabric bench bm}: upstream's {@code bm_perf_benchmark} (reference §10.1) on local rank processes. Rank 0
 * copies {@code batch} blocks per iteration, {@code count} iterations, in each direction, while the other ranks wait;
 * afterwards it reads the destination back and counts wrong bytes. The same run then measures the references at the
 * measured sizes ({@link BmReferences}: memcpy, cma, iperf3, UCX, through {@code shared/bench/peers.sh}, found by
 * {@link PeersScript}) and reports ratios; when references cannot be measured it says so in one WARN line.
 *
 * <p>Every option is checked before the store or any rank starts.
 */
@Command(name = "bm", mixinStandardHelpOptions = true,
        description = {"BigMemory copy bandwidth and latency between local rank processes (upstream "
            + "bm_perf_benchmark), with references measured in the same run at the same sizes."})
final class BmBench implements Callable<Integer> {
    private static final List<String> ALL = Arrays.stream(BmDirection.values()).map(BmDirection::wireName).toList();
    /** {@code --count}: upstream's range; 0 picks a count that moves about 2 GiB. */
    private static final int MIN_COUNT = 10;
    private static final int MAX_COUNT = 100_000;
    private static final int MAX_BATCH = 65_536;
    /** Most sizes per run ({@code cma_bw}, which measures the cma reference, takes at most 64). */
    private static final int MAX_SIZES = 32;
    /** Largest copy of one iteration (block x batch): each rank maps slots and buffers of this size several times. */
    private static final long MAX_ITERATION_BYTES = 1L << 30;
    private static final long MIN_SLOT_BYTES = 64L << 20;
    private static final long SLOT_ALIGN_BYTES = 2L << 20;

    @Option(names = {"-t", "--type"}, defaultValue = "all", split = ",",
            description = "Directions (explained below), or all (default: all).")
    List<String> types;

    @Option(names = {"-s", "--block"}, defaultValue = "4k,64k,1m,64m", split = ",",
            converter = Converters.Size.class, description = "Block sizes, up to " + MAX_SIZES + " (default: "
            + "4k,64k,1m,64m); block x batch at most 1g.")
    List<Long> blocks;

    @Option(names = {"--cc", "--count"}, defaultValue = "0",
            description = "Iterations per test, " + MIN_COUNT + ".." + MAX_COUNT + "; 0 = as many as move about "
                    + "2 GiB (default: 0).")
    int count;

    @Option(names = {"--bs", "--batch"}, defaultValue = "1",
            description = "Blocks per iteration, 1.." + MAX_BATCH + " (default: 1).")
    int batch;

    @Option(names = {"--ws", "--ranks"}, defaultValue = "2",
            description = "Rank processes, 2.." + LocalRanks.MAX_RANKS + " (default: 2).")
    int ranks;

    @Option(names = "--route", converter = Converters.RouteName.class,
            description = "Force a route: shm, cma or tcp (default: the best available).")
    Route route;

    @Option(names = "--json", description = "Print JSON Lines, one object per result row.")
    boolean json;

    @Option(names = "--plot", description = "Draw bandwidth against block size, with the references, into this PNG "
            + "file.")
    Path plot;

    @Option(names = "--peers", description = "Path of shared/bench/peers.sh, or 'none' for no references (default: "
            + "$" + PeersScript.ENV + ", else shared/bench/peers.sh above the jar or the working directory).")
    String peers;

    @Option(names = "--quick", description = "Quick references (fewer repetitions; peers.sh --quick).")
    boolean quick;

    private CommandLine.Model.CommandSpec spec;

    /** Receives the command's model from picocli and adds the legend of the direction names to its help. */
    @CommandLine.Spec
    void spec(CommandLine.Model.CommandSpec commandSpec) {
        this.spec = commandSpec;
        List<String> footer = new ArrayList<>(List.of("", "Directions, named <source>2<destination>:",
                "  h = local host memory, d = local device memory, r = rank 1 (the remote rank)"));
        for (BmDirection d : BmDirection.values()) {
            footer.add("  " + d.legend());
        }
        commandSpec.usageMessage().footer(footer.toArray(new String[0]));
    }

    @Override
    public Integer call() throws Exception {
        List<String> directions = checkOptions();
        PeersScript script = locatePeers();
        long maxBytes = blocks.stream().mapToLong(b -> b * batch).max().orElseThrow();
        long slot = slotBytes(maxBytes);
        OptionChecks.fitsInSharedMemory(spec, "--ws=" + ranks + " x 2 slots of " + Sizes.format(slot),
                2L * ranks * slot);
        List<Map<String, String>> results;
        try (StoreServer store = StoreServer.start(StoreServerOptions.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).build())) {
            System.err.printf("bench bm: %d ranks, blocks %s, batch %d, route %s, slots of %s%n", ranks,
                    blocks.stream().map(Sizes::format).toList(), batch, route == null ? "auto" : route.wireName(),
                    Sizes.format(slot));
            String fabric = "benchbm_" + ProcessHandle.current().pid();
            try (LocalRanks local = LocalRanks.start(ranks, "bench-bm-rank",
                    r -> rankArgs(store.url().toString(), fabric, r, directions, slot), r -> Map.of(),
                    List.of("-Xmx512m", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"))) {
                results = new BmRankFollower(local, directions.size(), blocks.size()).follow();
            }
        }
        if (results == null) {
            return 1;
        }
        PeerReferences references = references(script, results);
        BenchReport report = BmRows.report(results, references, batch);
        if (json) {
            report.printJson(System.out);
        } else {
            System.out.printf("copy_size=%s copy_count=%s batch_size=%d ranks=%d (BW in GB/s, 1 GB = 1e9 B)%n",
                    blocks.stream().map(Sizes::format).toList(), count == 0 ? "auto" : count, batch, ranks);
            report.printTable(System.out);
        }
        if (plot != null) {
            Path written = BmPlot.write(BmPlot.chart(results, references, batch), plot);
            System.err.println("bench bm: plot written to " + written.toAbsolutePath());
        }
        return BmRows.wrongBytes(results) == 0 ? 0 : 1;
    }

    /** @return the directions to measure; every other option checked */
    private List<String> checkOptions() {
        List<String> directions = types.contains("all") ? ALL : types;
        for (String t : directions) {
            OptionChecks.oneOf(spec, "--type", t, ALL);
        }
        if (blocks.size() > MAX_SIZES) {
            throw OptionChecks.usage(spec, "--block has " + blocks.size() + " sizes (expected: 1.." + MAX_SIZES + ")");
        }
        OptionChecks.range(spec, "--bs", batch, 1, MAX_BATCH);
        for (long block : blocks) {
            if (block < 1 || block > MAX_ITERATION_BYTES / batch) {
                throw OptionChecks.usage(spec, "--block=" + (block < 1 ? block : Sizes.format(block)) + " with --bs="
                        + batch + " (expected: block x batch of 1 to " + Sizes.format(MAX_ITERATION_BYTES) + ")");
            }
        }
        if (count != 0 && (count < MIN_COUNT || count > MAX_COUNT)) {
            throw OptionChecks.usage(spec, "--cc=" + count + " (expected: " + MIN_COUNT + ".." + MAX_COUNT
                    + ", or 0 for as many as move about 2 GiB)");
        }
        OptionChecks.range(spec, "--ws", ranks, 2, LocalRanks.MAX_RANKS);
        OptionChecks.writableParent(spec, "--plot", plot);
        return directions;
    }

    private PeersScript locatePeers() {
        try {
            return PeersScript.locate(peers);
        } catch (IllegalArgumentException e) {
            throw OptionChecks.usage(spec, e.getMessage());
        }
    }

    /** Slots hold the largest iteration, rounded up to 2 MiB, and at least 64 MiB. */
    private static long slotBytes(long maxBytes) {
        return Math.max(MIN_SLOT_BYTES, (maxBytes + SLOT_ALIGN_BYTES - 1) & -SLOT_ALIGN_BYTES);
    }

    private PeerReferences references(PeersScript script, List<Map<String, String>> results) throws Exception {
        if (!script.found()) {
            if (PeersScript.NONE.equals(peers)) {
                System.err.println("bench bm: no references (--peers none): rows without ratios");
            } else {
                System.err.println("bench bm: WARN no references, so no ratios: peers.sh not found (" + script.whyNot()
                        + ")");
            }
            return new PeerReferences();
        }
        Set<String> routes = new LinkedHashSet<>();
        results.forEach(f -> routes.add(f.get("route")));
        List<Long> sizes = blocks.stream().map(b -> b * batch).toList();
        PeerReferences references = PeerReferences.measure(script, BmReferences.jobs(routes, sizes, quick),
                "bench bm", quick);
        if (!references.unavailable().isEmpty()) {
            System.err.println("bench bm: WARN some references unavailable: "
                    + String.join("; ", references.unavailable()));
        }
        return references;
    }

    private List<String> rankArgs(String url, String fabric, int rank, List<String> directions, long slot) {
        List<String> args = new ArrayList<>(List.of("--store", url, "--fabric", fabric, "--ranks",
                String.valueOf(ranks), "--rank", String.valueOf(rank), "--types", String.join(",", directions),
                "--blocks", String.join(",", blocks.stream().map(String::valueOf).toList()),
                "--count", String.valueOf(count), "--batch", String.valueOf(batch), "--slot", String.valueOf(slot)));
        if (route != null) {
            args.addAll(List.of("--route", route.wireName()));
        }
        return args;
    }
}
