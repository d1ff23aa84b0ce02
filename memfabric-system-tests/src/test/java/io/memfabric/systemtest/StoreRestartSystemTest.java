package io.memfabric.systemtest;

import io.memfabric.cli.MemFabricCommand;
import io.memfabric.common.CloseHelper;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.client.StoreClientOptions;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.testsupport.FreePorts;
import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code memfabric store} killed with {@code kill -9} and started again on the same port (D5, store side): it holds
 * nothing, the clients reconnect by themselves, take their ranks back and re-publish their records from their
 * reconnect hooks, and a client that arrives meanwhile is given a free rank, not one a reconnecting client held.
 */
@Timeout(180)
class StoreRestartSystemTest {
    private static final Duration START = Duration.ofSeconds(60);
    /** Longer than a client's longest reconnect pause (1 s) plus a JVM start on a loaded machine. */
    private static final String RECLAIM_WINDOW = "5s";
    private static final int OWNERS = 3;

    private static RankProcess startStore(String testName, String url, String name) {
        RankProcess store = RankProcess.builder(MemFabricCommand.class).name(name).testName(testName)
                .property(StoreServerOptions.RANK_RECLAIM_WINDOW_PROP, RECLAIM_WINDOW)
                .args("store", "--listen", url).start();
        store.awaitLine(Pattern.compile("memfabric store listening on " + Pattern.quote(url)), START);
        return store;
    }

    @Test
    void afterKill9AndRestartClientsKeepTheirRanksRepublishAndANewcomerGetsAFreeRank(TestInfo info)
            throws Exception {
        String testName = info.getTestMethod().orElseThrow().getName();
        String url = "tcp://127.0.0.1:" + FreePorts.next();
        List<AutoCloseable> closeables = new ArrayList<>();
        BlockingQueue<Integer> republished = new LinkedBlockingQueue<>();
        RankProcess first = startStore(testName, url, "store-1");
        closeables.add(first);
        try {
            for (int expected = 0; expected < OWNERS; expected++) {
                StoreClient client = StoreClient.connect(StoreClientOptions.builder(StoreUrl.parse(url))
                        .heartbeatPeriod(Duration.ofMillis(500)).build());
                closeables.add(client);
                StoreClient fabric = client.withPrefix("fab/");
                int rank = fabric.assignRank(8, -1);
                assertEquals(expected, rank);
                client.hello("owner-" + rank, rank);
                fabric.onReconnect(() -> {
                    fabric.set("records/" + rank, record(rank));
                    republished.add(rank);
                });
                fabric.set("records/" + rank, record(rank));
            }

            first.kill();
            first.exitCode(Duration.ofSeconds(30));
            RankProcess second = startStore(testName, url, "store-2");
            closeables.add(second);
            try (StoreClient newcomer = StoreClient.connect(StoreUrl.parse(url))) {
                assertEquals(OWNERS, newcomer.withPrefix("fab/").assignRank(8, -1),
                        "the newcomer gets the lowest rank no reconnecting client holds");
                for (int i = 0; i < OWNERS; i++) {
                    assertNotNull(republished.poll(60, TimeUnit.SECONDS), "every owner's hook re-published");
                }
                for (int rank = 0; rank < OWNERS; rank++) {
                    assertArrayEquals(record(rank), newcomer.get("fab/records/" + rank));
                    int held = rank;
                    StoreException e = assertThrows(StoreException.class,
                            () -> newcomer.withPrefix("fab/").assignRank(8, held));
                    assertEquals(ErrorCode.STORE_RANK_UNAVAILABLE, e.code(), "rank " + rank + ": " + e);
                }
            }
        } finally {
            CloseHelper.closeAll(closeables.reversed().toArray(new AutoCloseable[0]));
        }
    }

    private static byte[] record(int rank) {
        return ("rank " + rank + " descriptor").getBytes(StandardCharsets.UTF_8);
    }
}
