package io.memfabric.cli.bench;

import io.memfabric.cli.Progress;
import io.memfabric.cli.Sizes;
import io.memfabric.cli.local.LocalRanks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Follows the ranks of {@code bench bm} until they have all exited, in two phases with their own progress: starting
 * (each rank's slots created, each rank joined) and measuring (rank 0's warm-up loops and measured tests), and
 * collects rank 0's {@code result} lines. The first rank that fails ends the others.
 *
 * <p>Thread safety: confined to the benchmark's main thread.
 */
final class BmRankFollower {
    /** How long the ranks may be silent before the benchmark gives up (a 64 MiB test over tcp takes minutes). */
    private static final long SILENCE_LIMIT_MS = TimeUnit.MINUTES.toMillis(30);
    /** Progress lines each rank prints while starting: slots created, joined. */
    private static final int START_STEPS_PER_RANK = 2;

    private final LocalRanks local;
    private final int directions;
    private final int sizes;

    /**
     * @param directions directions measured
     * @param sizes      block sizes measured
     */
    BmRankFollower(LocalRanks local, int directions, int sizes) {
        this.local = local;
        this.directions = directions;
        this.sizes = sizes;
    }

    /** @return rank 0's results as fields, or {@code null} when a rank failed (said on stderr) */
    List<Map<String, String>> follow() throws InterruptedException {
        List<Map<String, String>> results = new ArrayList<>();
        Progress starting = Progress.onStderr("bench bm: starting ranks", (long) local.count() * START_STEPS_PER_RANK);
        // One warm-up loop per direction, then one test per direction and size.
        Progress measuring = null;
        int exited = 0;
        int failed = 0;
        try {
            while (exited < local.count()) {
                LocalRanks.Line line = local.next(SILENCE_LIMIT_MS);
                if (line == null) {
                    starting.close();
                    System.err.println("bench bm: no output from the ranks for 30 minutes; stopping them");
                    local.stop();
                    return null;
                }
                if (line.isExit()) {
                    exited++;
                    if (line.exitCode() != 0 && failed++ == 0) {
                        starting.close();
                        if (measuring != null) {
                            measuring.close();
                        }
                        System.err.println("bench bm: rank " + line.rank() + " exited with " + line.exitCode()
                                + "; stopping the others");
                        local.stop();
                    }
                    continue;
                }
                String text = line.line();
                if (text.equals("progress slots")) {
                    starting.step("rank " + line.rank() + ": slots created");
                } else if (text.equals("progress joined")) {
                    starting.step("rank " + line.rank() + ": joined");
                } else if (text.startsWith("progress warm-up ") || text.startsWith("progress test ")) {
                    if (measuring == null) {
                        starting.close();
                        measuring = Progress.onStderr("bench bm: measuring", (long) directions * (sizes + 1));
                    }
                    if (text.startsWith("progress warm-up ")) {
                        measuring.step("warm-up " + text.substring("progress warm-up ".length()));
                    } else {
                        String[] words = text.split(" ");
                        measuring.note("measuring " + words[2] + " " + Sizes.format(Long.parseLong(words[3])));
                    }
                } else if (text.startsWith("result ")) {
                    Map<String, String> f = PeerReferences.fields(text);
                    results.add(f);
                    measuring.step(String.format(Locale.ROOT, "%s %s x%s: %.2f GB/s", f.get("type"),
                            Sizes.format(Long.parseLong(f.get("block"))), f.get("batch"), BmRows.gbps(f)));
                }
            }
        } finally {
            starting.close();
            if (measuring != null) {
                measuring.close();
            }
        }
        return failed == 0 ? results : null;
    }
}
