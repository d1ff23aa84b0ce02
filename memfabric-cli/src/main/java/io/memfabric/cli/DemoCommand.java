package io.memfabric.cli;

import io.memfabric.cli.local.LocalRanks;
import io.memfabric.copy.Route;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code memfabric demo}: the main job on an embedded default. Starts a config store (or uses the one given) and N
 * rank processes on this machine; each runs upstream's BmCpp workflow — H2G of generated data into its own DEVICE
 * slot, G2G to the next rank's DEVICE and HOST slots, barrier, verification by direct reads and by G2H — and the demo
 * prints per-rank verification and a bandwidth table. Exits 1 if any byte is wrong or any rank fails; a rank that
 * fails ends the others at once.
 *
 * <p>Every option is checked before anything starts. Each run has its own fabric id ({@code demo_<pid>}), which
 * names its slot files ({@code /dev/shm/memfabric-demo_<pid>-*}); Ctrl-C or SIGTERM ends the ranks, whose shutdown
 * hooks delete those files.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the BigMemory workflow on N local rank processes and verifies every byte.",
            "Exit code 0 when every rank verified its data, 1 otherwise, 2 for bad options."})
final class DemoCommand implements Callable<Integer> {
    /** Slot sizes are multiples of this: each rank copies half of its slot, in page-aligned halves. */
    private static final long SIZE_UNIT = 8192;
    private static final long MIN_HEAP = 32L << 20;
    private static final long MAX_HEAP = 64L << 30;
    /** How long the store given with {@code --store} may take to answer before the demo gives up. */
    private static final Duration STORE_CHECK_TIMEOUT = Duration.ofSeconds(5);

    @Option(names = "--ranks", defaultValue = "4",
            description = "Rank processes, 2.." + LocalRanks.MAX_RANKS + " (default: ${DEFAULT-VALUE}).")
    int ranks;

    @Option(names = "--size", defaultValue = "256m", converter = Converters.Size.class,
            description = "HOST and DEVICE slot size of each rank, a multiple of 8k; half of it is copied "
                    + "(default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--route", converter = Converters.RouteName.class,
            description = "Force a route: shm, cma or tcp (default: the best available).")
    Route route;

    @Option(names = "--rank-heap", defaultValue = "256m", converter = Converters.Size.class,
            description = "Java heap of each rank, 32m..64g (default: ${DEFAULT-VALUE}).")
    long rankHeap;

    @Option(names = "--store", converter = Converters.Url.class,
            description = "Use this running store (e.g. one of 'memfabric store') instead of starting one.")
    StoreUrl storeUrl;

    @Option(names = "--hold", description = "After the verification, keep the ranks, their slots and the store "
            + "until Ctrl-C, to look at them (ls /dev/shm, redis-cli).")
    boolean hold;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        PrintStream out = System.out;
        if (storeUrl != null) {
            checkStore(storeUrl);
            return runRanks(storeUrl, out);
        }
        StoreServerOptions storeOptions = StoreServerOptions.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).build();
        try (StoreServer store = StoreServer.start(storeOptions)) {
            return runRanks(store.url(), out);
        }
    }

    private void checkOptions() {
        OptionChecks.range(spec, "--ranks", ranks, 2, LocalRanks.MAX_RANKS);
        if (size < SIZE_UNIT || size % SIZE_UNIT != 0) {
            throw OptionChecks.usage(spec, "--size=" + size + " (expected: a multiple of 8k, at least 8k)");
        }
        OptionChecks.sizeRange(spec, "--rank-heap", rankHeap, MIN_HEAP, MAX_HEAP);
        long slotBytes = size > Long.MAX_VALUE / (2L * ranks) ? Long.MAX_VALUE : 2L * ranks * size;
        OptionChecks.fitsInSharedMemory(spec, "--ranks=" + ranks + " x 2 slots x --size=" + Sizes.format(size),
                slotBytes);
    }

    /**
     * Connects to the given store once, briefly, so that a wrong address is one clear error here and not a failure
     * of every rank after a minute of retries.
     *
     * @throws StoreException naming the option and the address when no store answers there
     */
    private static void checkStore(StoreUrl url) {
        StoreClientOptions options = StoreClientOptions.builder(url).connectTimeout(STORE_CHECK_TIMEOUT)
                .requestTimeout(STORE_CHECK_TIMEOUT).build();
        try (StoreClient client = StoreClient.connect(options)) {
            client.exists("memfabric/demo/check");
        } catch (StoreException e) {
            throw new StoreException(e.code(), "--store " + url + ": no memfabric store there (" + e.getMessage()
                    + ")", e);
        }
    }

    private int runRanks(StoreUrl url, PrintStream out) throws Exception {
        String fabric = "demo_" + ProcessHandle.current().pid();
        out.printf("memfabric demo: %d ranks, %s HOST + %s DEVICE each, route %s, store %s, fabric %s%n", ranks,
                Sizes.format(size), Sizes.format(size), route == null ? "auto" : route.wireName(), url, fabric);
        boolean verbose = MemFabricCommand.isVerbose(spec.root().commandLine().getParseResult());
        DemoResults results = new DemoResults(ranks);
        int failedRanks;
        try (LocalRanks local = LocalRanks.start(ranks, "demo-rank", r -> rankArgs(url, fabric, r), r -> Map.of(),
                List.of("-Xmx" + (rankHeap >> 10) + "k", "-XX:+UseSerialGC",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + (verbose ? "info" : "warn")));
             Progress progress = Progress.onStdout("memfabric demo", (long) ranks * DemoRankCommand.PROGRESS_STEPS)) {
            failedRanks = new DemoFollower(local, progress, results, hold, url, fabric).follow();
        }
        results.printTable(out);
        if (failedRanks == 0 && results.wrongBytes() == 0 && results.complete()) {
            out.println("memfabric demo: OK — every rank verified every byte");
            return 0;
        }
        out.printf("memfabric demo: FAILED — %d rank(s) failed, %d wrong byte(s)%s%n", failedRanks,
                results.wrongBytes(), results.complete() ? "" : ", some checks missing");
        return 1;
    }

    private List<String> rankArgs(StoreUrl url, String fabric, int rank) {
        List<String> args = new ArrayList<>(List.of("--store", url.toString(), "--fabric", fabric, "--ranks",
                String.valueOf(ranks), "--rank", String.valueOf(rank), "--size", String.valueOf(size)));
        if (route != null) {
            args.addAll(List.of("--route", route.wireName()));
        }
        if (hold) {
            args.add("--hold");
        }
        return args;
    }
}
