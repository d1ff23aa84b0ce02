package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code MF.RANK ... RECLAIM} and the reclaim window after a start. */
@Timeout(60)
class RankReclaimWindowTest {
    @Test
    void shouldGrantOnlyReclaimsWhileTheWindowIsOpenAndAskOthersToRetry() throws Exception {
        Duration window = Duration.ofMillis(800);
        long start = System.nanoTime();
        try (StoreServer server = StoreServer.start(TestServers.options().rankReclaimWindow(window).build());
             RespTestClient returning = RespTestClient.connect(server);
             RespTestClient newcomer = RespTestClient.connect(server)) {
            assertEquals(":0", returning.text("MF.RANK", "4", "0", "RECLAIM"), "a reclaim is granted at once");
            assertEquals(":2", returning.text("MF.RANK", "4", "2", "NS", "other/", "RECLAIM"));
            assertEquals(":0", returning.text("MF.RANK", "4"), "a connection that holds a rank gets it back at once");
            String tryAgain = newcomer.text("MF.RANK", "4");
            Matcher m = Pattern.compile("-TRYAGAIN MF.RANK ns=: after a store start, ranks go to reconnecting "
                    + "clients first; retry in (\\d+) ms").matcher(tryAgain);
            assertTrue(m.matches(), tryAgain);
            long retryMs = Long.parseLong(m.group(1));
            assertTrue(retryMs >= 1 && retryMs <= window.toMillis(), tryAgain);
            assertTrue(returning.text("INFO", "memfabric").contains("rank_reclaim_window_open:1\r\n"));
            assertEquals("+PONG", newcomer.text("PING"), "the connection is answered, not held");

            Thread.sleep(retryMs);
            assertTrue(System.nanoTime() - start >= window.toNanos());
            assertEquals(":1", newcomer.text("MF.RANK", "4"), "after the window: the lowest rank nobody reclaimed");
            assertTrue(returning.text("INFO", "memfabric").contains("rank_reclaim_window_open:0\r\n"));
        }
    }

    @Test
    void shouldRefuseAReclaimWithoutARank() {
        try (StoreServer server = TestServers.start(); RespTestClient c = RespTestClient.connect(server)) {
            assertEquals("-STORE_INVALID_MESSAGE MF.RANK RECLAIM needs the rank held before (expected: MF.RANK "
                    + "worldSize rank [NS namespace] RECLAIM)", c.text("MF.RANK", "4", "RECLAIM"));
            assertEquals(":1", c.text("MF.RANK", "4", "1", "reclaim"), "no window: a reclaim is a plain request");
            assertTrue(c.text("MF.RANK", "4", "1", "RECLAIM", "x").startsWith("-STORE_INVALID_MESSAGE MF.RANK syntax"));
        }
    }
}
