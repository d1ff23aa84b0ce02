package io.memfabric.cli.local;

import io.memfabric.bm.BigMemory;
import io.memfabric.bm.BigMemoryOptions;
import io.memfabric.copy.Route;
import picocli.CommandLine.Option;

/**
 * The options every rank of a local run takes (a picocli mixin): where the store is, the world, this rank and the
 * forced route. The parent gives each rank its rank explicitly and starts the store itself.
 */
public final class LocalRankOptions {
    @Option(names = "--store", required = true, description = "The store URL.")
    String store;

    @Option(names = "--ranks", required = true, description = "World size.")
    int ranks;

    @Option(names = "--rank", required = true, description = "This rank.")
    int rank;

    @Option(names = "--route", description = "Force a route: shm, cma or tcp.")
    String route;

    /** @return the world size. */
    public int ranks() {
        return ranks;
    }

    /** @return this rank. */
    public int rank() {
        return rank;
    }

    /**
     * Joins the fabric as this rank (the parent started the store; explicit ranks; the forced route, if any).
     *
     * @param fabricId the fabric's id, which separates runs that share a host
     * @return the BigMemory handle; the caller closes it
     */
    public BigMemory init(String fabricId) {
        BigMemoryOptions.Builder options = BigMemoryOptions.builder().autoRanking(false).rankId(rank)
                .startConfigStoreServer(false).fabricId(fabricId);
        if (route != null) {
            options.copyEngine(engine -> engine.forceRoute(Route.parse(route)));
        }
        return BigMemory.init(store, ranks, options.build());
    }
}
