package io.memfabric.cli;

import io.memfabric.cli.local.LocalRanks;
import io.memfabric.store.StoreUrl;

import java.util.concurrent.TimeUnit;

/**
 * Follows the ranks of {@code memfabric demo} until every one has exited: their {@code progress} lines step the
 * progress display, their {@code timing} and {@code verify} lines go to the {@link DemoResults}. The first rank that
 * fails ends the others, so a run that cannot succeed stops at once instead of waiting for barrier timeouts.
 *
 * <p>Thread safety: confined to the demo's main thread.
 */
final class DemoFollower {
    /** How long the ranks may be silent before the demo gives up on them (not while holding). */
    private static final long SILENCE_LIMIT_MS = TimeUnit.MINUTES.toMillis(10);

    private final LocalRanks local;
    private final Progress progress;
    private final DemoResults results;
    private final boolean hold;
    private final StoreUrl url;
    private final String fabric;
    private int holding;

    DemoFollower(LocalRanks local, Progress progress, DemoResults results, boolean hold, StoreUrl url,
                 String fabric) {
        this.local = local;
        this.progress = progress;
        this.results = results;
        this.hold = hold;
        this.url = url;
        this.fabric = fabric;
    }

    /** @return how many ranks failed (exited with a status other than 0, or went silent) */
    int follow() throws InterruptedException {
        int exited = 0;
        int failed = 0;
        boolean stopped = false;
        while (exited < local.count()) {
            LocalRanks.Line line = local.next(holding == local.count() ? Long.MAX_VALUE : SILENCE_LIMIT_MS);
            if (line == null) {
                progress.report("memfabric demo: no progress for 10 minutes; stopping the ranks");
                local.stop();
                return local.count() - exited;
            }
            if (line.isExit()) {
                exited++;
                if (line.exitCode() != 0) {
                    failed++;
                    progress.report("  rank " + line.rank() + " exited with " + line.exitCode()
                            + (stopped ? "" : "; stopping the others"));
                    if (!stopped) {
                        stopped = true;
                        local.stop();
                    }
                }
                continue;
            }
            String text = line.line();
            if (text.startsWith("progress ")) {
                progress.step("rank " + line.rank() + ": " + text.substring("progress ".length()));
            } else if (text.startsWith("timing ")) {
                results.timing(line.rank(), text);
            } else if (text.startsWith("verify ")) {
                progress.report(results.verify(line.rank(), text));
            } else if (text.equals("holding") && ++holding == local.count()) {
                progress.close();
                System.out.println("memfabric demo: verified; holding the fabric until Ctrl-C (store " + url
                        + ", slot files " + "memfabric-" + fabric + "-* in the shared-memory directory)");
                System.out.flush();
            }
        }
        return failed;
    }
}
