package io.memfabric.cli.local;

import io.memfabric.bm.BigMemory;
import io.memfabric.bm.BigMemoryOptions;
import io.memfabric.copy.Route;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;

/**
 * The options every rank of a local run takes (a picocli mixin): where the store is, the fabric, the world, this rank
 * and the forced route. The parent gives each rank its rank explicitly and starts the store itself.
 *
 * <p>Thread safety: set by picocli, then read by the rank's main thread.
 */
public final class LocalRankOptions {
    @Option(names = "--store", required = true, description = "The store URL.")
    String store;

    @Option(names = "--fabric", required = true, description = "The fabric id (names the slot files).")
    String fabric;

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
     * @return the BigMemory handle; the caller closes it
     */
    public BigMemory init() {
        BigMemoryOptions.Builder options = BigMemoryOptions.builder().autoRanking(false).rankId(rank)
                .startConfigStoreServer(false).fabricId(fabric);
        if (route != null) {
            options.copyEngine(engine -> engine.forceRoute(Route.parse(route)));
        }
        return BigMemory.init(store, ranks, options.build());
    }

    /**
     * Runs {@code action} on a daemon thread when the parent ends. The parent ({@link LocalRanks}) holds this
     * process's standard input open and never writes to it, so its end means the parent has exited, however it
     * exited (Ctrl-C, SIGTERM, even SIGKILL, which runs none of its hooks), or has let go of this rank.
     *
     * @param action what to do then, e.g. {@code System.exit(143)}, which deletes this rank's slot files through
     *               their shutdown hook
     */
    public static void onParentEnd(Runnable action) {
        Thread.ofPlatform().daemon().name("memfabric-parent-watch").start(() -> {
            InputStream in = System.in;
            try {
                while (in.read() >= 0) {
                    // Nothing is sent on this channel; only its end matters.
                }
            } catch (IOException e) {
                // A broken pipe is an end too.
            }
            action.run();
        });
    }
}
