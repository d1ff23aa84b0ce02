package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code MF.RANK ... RECLAIM} and the reclaim window after a start. */
@Timeout(60)
class RankReclaimWindowTest {
    @Test
    void shouldGrantReclaimsAtOnceAndOtherRequestsWhenTheWindowCloses() {
        Duration window = Duration.ofMillis(800);
        long start = System.nanoTime();
        try (StoreServer server = StoreServer.start(TestServers.options().rankReclaimWindow(window).build());
             RespTestClient returning = RespTestClient.connect(server);
             RespTestClient newcomer = RespTestClient.connect(server)) {
            newcomer.send("MF.RANK", "4");
            newcomer.send("PING");
            assertEquals(":0", returning.text("MF.RANK", "4", "0", "RECLAIM"), "a reclaim is granted at once");
            assertEquals(":2", returning.text("MF.RANK", "4", "2", "NS", "other/", "RECLAIM"));
            TestServers.await("the newcomer's request waits",
                    () -> returning.text("INFO", "memfabric").contains("waiting_rank_requests:1\r\n"));
            assertNull(newcomer.poll(Duration.ofMillis(100)), "the newcomer waits for the window");
            assertEquals(":1", newcomer.read().toString(), "then gets the lowest rank nobody reclaimed");
            assertEquals("+PONG", newcomer.read().toString(), "its later commands were queued behind it, in order");
            assertTrue(System.nanoTime() - start >= window.toNanos());
            assertEquals(":3", newcomer.text("MF.RANK", "4", "3", "NS", "other/"), "after the window, at once");
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
