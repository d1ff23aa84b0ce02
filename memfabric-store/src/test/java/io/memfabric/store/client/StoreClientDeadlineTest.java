package io.memfabric.store.client;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.StoreException;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.memfabric.store.client.ClientTests.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client-side deadlines: a store that receives commands but answers none (a {@link FreezableProxy} withholds its
 * replies) must not hang a call, and the client must come out of it usable, with replies still matched to callers.
 */
@Timeout(60)
class StoreClientDeadlineTest {
    private StoreServer server;
    private FreezableProxy proxy;
    private StoreClient client;

    @BeforeEach
    void start() throws Exception {
        server = ClientTests.startServer();
        proxy = new FreezableProxy(server.localAddress());
    }

    @AfterEach
    void stop() {
        CloseHelper.closeAll(client, proxy, server);
    }

    private StoreClient connect(Duration requestTimeout, Duration heartbeat) {
        return StoreClient.connect(StoreClientOptions.builder(proxy.url())
                .connectTimeout(Duration.ofSeconds(10))
                .requestTimeout(requestTimeout)
                .heartbeatPeriod(heartbeat)
                .build());
    }

    @Test
    void callsPastTheirDeadlineFailWithATimeoutAndLaterRepliesStillReachTheirCallers() throws Exception {
        client = connect(Duration.ofMillis(300), Duration.ofSeconds(30));
        for (int i = 0; i < 4; i++) {
            client.set("k" + i, bytes("v" + i));
        }
        proxy.freeze();
        List<CompletableFuture<Long>> late = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String k = "k" + i;
            late.add(CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                MemFabricTimeoutException e = assertThrows(MemFabricTimeoutException.class, () -> client.get(k));
                assertEquals(ErrorCode.STORE_TIMEOUT, e.code());
                assertTrue(e.getMessage().contains("GET key=" + k), e.getMessage());
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }));
        }
        for (CompletableFuture<Long> elapsed : late) {
            long ms = elapsed.get(20, TimeUnit.SECONDS);
            assertTrue(ms >= 300, "reported after " + ms + " ms, before its 300 ms deadline");
        }
        proxy.thaw();
        // The four late replies arrive first and are dropped; each new call gets its own reply.
        for (int i = 3; i >= 0; i--) {
            assertArrayEquals(bytes("v" + i), client.get("k" + i));
        }
        assertEquals(1, proxy.accepted(), "no reconnect: the connection was never silent for three periods");
    }

    @Test
    void aSilentConnectionIsResetAfterThreeHeartbeatPeriodsAndTheClientRecovers() throws Exception {
        client = connect(Duration.ofSeconds(5), Duration.ofMillis(100));
        client.set("k", bytes("v"));
        proxy.freeze();
        StoreException e = assertThrows(StoreException.class, () -> client.get("k"));
        assertEquals(ErrorCode.STORE_IO_ERROR, e.code(), e.toString());
        assertTrue(e.getMessage().contains("no reply"), e.getMessage());
        proxy.awaitAccepted(2, 20_000);
        proxy.thaw();
        assertArrayEquals(bytes("v"), client.get("k"));
    }

    @Test
    void aWaitWhoseReplyNeverComesFailsAtItsDeadlineAndFreesItsConnection() throws Exception {
        client = connect(Duration.ofMillis(300), Duration.ofMillis(100));
        client.set("present", bytes("p"));
        proxy.freeze();
        long start = System.nanoTime();
        CompletableFuture<byte[]> wait = client.waitForAsync("never", null);
        ExecutionException e = assertThrows(ExecutionException.class, () -> wait.get(20, TimeUnit.SECONDS));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        MemFabricTimeoutException timeout = assertInstanceOf(MemFabricTimeoutException.class, e.getCause());
        assertEquals(ErrorCode.STORE_TIMEOUT, timeout.code());
        assertTrue(timeout.getMessage().contains("MF.WAIT key=never"), timeout.getMessage());
        assertTrue(elapsedMs >= 300, "reported after " + elapsedMs + " ms, before its 300 ms deadline");
        proxy.thaw();
        assertArrayEquals(bytes("p"), client.waitFor("present", Duration.ofSeconds(5)));
    }
}
