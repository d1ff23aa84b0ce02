package io.memfabric.store.client;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.memfabric.store.client.ClientTests.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store restarted on the same port holds nothing (D5): clients reconnect, take their ranks back, and their hooks
 * re-publish what they own; a client that arrives meanwhile gets a free rank, never one a reconnecting client holds.
 */
@Timeout(90)
class StoreRestartTest {
    private static final Duration RECLAIM_WINDOW = Duration.ofSeconds(3);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() {
        CloseHelper.closeAll(closeables.reversed().toArray(new AutoCloseable[0]));
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private StoreServer startOn(int port, Duration reclaimWindow) {
        return keep(StoreServer.start(ClientTests.serverOptions().listen(new InetSocketAddress("127.0.0.1", port))
                .rankReclaimWindow(reclaimWindow).build()));
    }

    /** A client that pauses at least 300 ms between reconnect attempts, so that a newcomer can be faster. */
    private StoreClient slowReconnectingClient(StoreServer server) {
        return keep(StoreClient.connect(ClientTests.options(server).connectBackoff(Duration.ofMillis(300),
                Duration.ofMillis(500)).build()));
    }

    private static void awaitMainDown(StoreClient c) throws Exception {
        ((RespStoreClient) c).core.mainDown().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aNewClientIsNeverGivenARankThatAReconnectingClientWillReclaim() throws Exception {
        StoreServer server = startOn(0, RECLAIM_WINDOW);
        int port = server.localAddress().getPort();
        BlockingQueue<String> republished = new LinkedBlockingQueue<>();
        List<StoreClient> owners = new ArrayList<>();
        for (int expected = 0; expected < 2; expected++) {
            StoreClient fabric = slowReconnectingClient(server).withPrefix("fab/");
            int rank = fabric.assignRank(4, -1);
            assertEquals(expected, rank);
            fabric.onReconnect(() -> {
                fabric.set("owner/" + rank, bytes("rank " + rank));
                republished.add("owner/" + rank);
            });
            fabric.set("owner/" + rank, bytes("rank " + rank));
            owners.add(fabric);
        }

        server.close();
        for (StoreClient owner : owners) {
            awaitMainDown(owner);
        }
        StoreServer restarted = startOn(port, RECLAIM_WINDOW);
        StoreClient newcomer = keep(ClientTests.connect(restarted));
        assertEquals(2, newcomer.withPrefix("fab/").assignRank(4, -1),
                "the newcomer gets a free rank, not one a reconnecting client held");

        for (int i = 0; i < 2; i++) {
            assertNotNull(republished.poll(30, TimeUnit.SECONDS), "the hooks re-published");
        }
        for (int rank = 0; rank < 2; rank++) {
            assertArrayEquals(bytes("rank " + rank), newcomer.get("fab/owner/" + rank));
            int held = rank;
            StoreException e = assertThrows(StoreException.class,
                    () -> newcomer.withPrefix("fab/").assignRank(4, held));
            assertEquals(ErrorCode.STORE_RANK_UNAVAILABLE, e.code(), "rank " + rank + " is held again: " + e);
        }
    }

    @Test
    void aRankRequestThatCannotWaitForTheWindowFailsTyped() {
        StoreServer server = startOn(0, RECLAIM_WINDOW);
        StoreClient impatient = keep(StoreClient.connect(ClientTests.options(server)
                .requestTimeout(Duration.ofMillis(300)).build()));
        StoreException e = assertThrows(StoreException.class, () -> impatient.assignRank(4, -1));
        assertEquals(ErrorCode.STORE_RANK_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("TRYAGAIN MF.RANK"), e.getMessage());
    }

    @Test
    void hooksRunAfterTheIdentityIsRestoredInOrderAndAFailedHookRunsAgainOnTheNextReconnect() throws Exception {
        StoreServer server = startOn(0, Duration.ZERO);
        int port = server.localAddress().getPort();
        StoreClient client = keep(ClientTests.connect(server));
        StoreClient fabric = client.withPrefix("fab/");
        assertEquals(0, fabric.assignRank(4, -1));
        assertEquals(1, fabric.withPrefix("sub/").assignRank(4, 1));
        List<String> ran = new CopyOnWriteArrayList<>();
        AtomicInteger secondRuns = new AtomicInteger();
        BlockingQueue<Integer> rounds = new LinkedBlockingQueue<>();
        // An automatic MF.RANK from a connection that holds a rank answers that rank: 0 here only if it was restored.
        fabric.onReconnect(() -> ran.add("first rank=" + fabric.assignRank(4, -1)));
        fabric.onReconnect(() -> {
            if (secondRuns.incrementAndGet() == 1) {
                ran.add("second failed");
                throw new IllegalStateException("the first run of this hook fails");
            }
            ran.add("second");
        });
        fabric.onReconnect(() -> {
            ran.add("third sub-rank=" + fabric.withPrefix("sub/").assignRank(4, -1));
            rounds.add(secondRuns.get());
        });

        for (int round = 1; round <= 2; round++) {
            server.close();
            awaitMainDown(client);
            server = startOn(port, Duration.ZERO);
            assertEquals(round, rounds.poll(30, TimeUnit.SECONDS), "round " + round + " ran every hook");
        }
        assertEquals(List.of("first rank=0", "second failed", "third sub-rank=1",
                "first rank=0", "second", "third sub-rank=1"), ran);
    }
}
