package io.memfabric.cli.bench;

import io.memfabric.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench bm --help} explains every direction name. */
@Timeout(30)
class BmHelpTest {
    @Test
    void helpExplainsEveryDirection() {
        CliRun run = CliRun.of("bench", "bm", "--help");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("Directions, named <source>2<destination>:\n  h = local host memory, d = local "
                + "device memory, r = rank 1 (the remote rank)\n"), run.out());
        assertTrue(run.out().contains("  h2rd   local host memory -> rank 1's DEVICE slot (H2G)"), run.out());
        assertTrue(run.out().contains("  rd2h   rank 1's DEVICE slot -> local host memory (G2H)"), run.out());
        assertTrue(run.out().contains("  d2h    local device memory -> its own HOST slot (L2G)"), run.out());
        for (BmDirection d : BmDirection.values()) {
            assertTrue(run.out().contains("  " + d.legend()), d + " missing in:\n" + run.out());
        }
    }
}
