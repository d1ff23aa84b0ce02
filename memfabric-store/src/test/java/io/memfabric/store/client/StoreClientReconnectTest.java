package io.memfabric.store.client;

import io.memfabric.common.CloseHelper;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.memfabric.store.client.ClientTests.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store stops and comes back: typed failures meanwhile, then a client that restores its own state by itself. */
@Timeout(60)
class StoreClientReconnectTest {
    private StoreServer server;
    private StoreServer restarted;
    private StoreClient client;
    private StoreClient observer;

    @AfterEach
    void stop() {
        CloseHelper.closeAll(observer, client, restarted, server);
    }

    private static StoreServer startOn(int port) {
        return StoreServer.start(ClientTests.serverOptions().listen(new InetSocketAddress("127.0.0.1", port)).build());
    }

    private static void awaitMainDown(StoreClient c) throws Exception {
        ((RespStoreClient) c).core.mainDown().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aBlockedWaitFailsWithShutdownWhenTheServerStops() throws Exception {
        server = ClientTests.startServer();
        client = ClientTests.connect(server);
        client.set("present", bytes("1"));
        // Open a blocking connection and leave it idle, so that the next wait goes out at once on it.
        assertArrayEquals(bytes("1"), client.waitFor("present", Duration.ofSeconds(5)));
        CompletableFuture<byte[]> blocked = client.waitForAsync("never", Duration.ofSeconds(40));
        // The wait was written before this GET, on a connection that was ready first; the server reads ready sockets
        // in order, so by the GET's reply the wait is registered on the server.
        assertArrayEquals(bytes("1"), client.get("present"));
        server.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(20, TimeUnit.SECONDS));
        StoreException cause = assertInstanceOf(StoreException.class, e.getCause());
        assertEquals(ErrorCode.STORE_SHUTDOWN, cause.code(), cause.toString());
        assertTrue(cause.getMessage().contains("key=never"), cause.getMessage());
    }

    @Test
    void callsDuringAnOutageWaitForTheReconnectWithinTheirDeadline() throws Exception {
        server = ClientTests.startServer();
        int port = server.localAddress().getPort();
        client = ClientTests.connect(server);
        StoreClient impatient = StoreClient.connect(ClientTests.options(server)
                .requestTimeout(Duration.ofMillis(200)).build());
        try {
            server.close();
            awaitMainDown(client);
            awaitMainDown(impatient);

            long start = System.nanoTime();
            MemFabricTimeoutException late = assertThrows(MemFabricTimeoutException.class,
                    () -> impatient.set("k", bytes("lost")));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(ErrorCode.STORE_TIMEOUT, late.code());
            assertTrue(late.getMessage().contains("not sent"), late.getMessage());
            assertTrue(elapsedMs >= 200, "reported after " + elapsedMs + " ms, before its 200 ms deadline");

            CompletableFuture<Void> patient = CompletableFuture.runAsync(() -> client.set("k", bytes("kept")));
            restarted = startOn(port);
            patient.get(20, TimeUnit.SECONDS);
            assertArrayEquals(bytes("kept"), client.get("k"));
        } finally {
            impatient.close();
        }
    }

    @Test
    void afterARestartOnTheSamePortTheClientRestoresItsStateAndRunsItsHooks() throws Exception {
        server = ClientTests.startServer();
        int port = server.localAddress().getPort();
        client = StoreClient.connect(ClientTests.options(server).heartbeatPeriod(Duration.ofMillis(200)).build());

        client.hello("survivor", 2);
        StoreClient fabric = client.withPrefix("fabric/");
        assertEquals(2, fabric.assignRank(4, 2));
        BlockingQueue<byte[]> watched = new LinkedBlockingQueue<>();
        long watchId = fabric.watch("peer/3", watched::add);
        long cancelledId = fabric.watch("peer/cancelled", v -> watched.add(bytes("cancelled watch fired")));
        assertTrue(fabric.unwatch(cancelledId));
        BlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
        client.subscribeEvents(events::add);
        CountDownLatch restored = new CountDownLatch(1);
        fabric.onReconnect(() -> {
            fabric.set("records/2", bytes("rank 2 address"));
            restored.countDown();
        });
        fabric.set("records/2", bytes("rank 2 address"));

        server.close();
        awaitMainDown(client);
        restarted = startOn(port);
        assertTrue(restored.await(30, TimeUnit.SECONDS), "the reconnect hook ran");

        observer = StoreClient.connect(StoreClientOptions.builder(restarted.url())
                .connectTimeout(Duration.ofSeconds(10)).requestTimeout(ClientTests.REQUEST_TIMEOUT).build());
        assertArrayEquals(bytes("rank 2 address"), observer.get("fabric/records/2"), "the hook re-published");
        assertNull(observer.get("fabric/peer/cancelled"));

        StoreException taken = assertThrows(StoreException.class,
                () -> observer.withPrefix("fabric/").assignRank(4, 2));
        assertEquals(ErrorCode.STORE_RANK_UNAVAILABLE, taken.code(), "the client took its rank back");

        observer.set("fabric/peer/cancelled", bytes("x"));
        observer.set("fabric/peer/3", bytes("rank 3 address"));
        assertArrayEquals(bytes("rank 3 address"), watched.poll(20, TimeUnit.SECONDS), "the watch was re-registered");
        assertTrue(watched.isEmpty(), "a cancelled watch stays cancelled");
        assertTrue(!fabric.unwatch(watchId), "the watch fired, under its original id");

        observer.hello("newcomer", -1);
        assertEquals(StoreEvent.Kind.UP, next(events, e -> e.name().equals("newcomer")).kind(),
                "the event subscription was re-established");

        BlockingQueue<StoreEvent> observed = new LinkedBlockingQueue<>();
        observer.subscribeEvents(observed::add);
        client.close();
        StoreEvent down = next(observed, e -> e.name().equals("survivor") || e.name().startsWith("conn-"));
        assertEquals(StoreEvent.Kind.DOWN, down.kind(), "the identity was re-announced: its disconnect is reported");
        assertEquals(2, down.rank());
    }

    private static StoreEvent next(BlockingQueue<StoreEvent> events, Predicate<StoreEvent> wanted)
            throws InterruptedException {
        while (true) {
            StoreEvent event = events.poll(20, TimeUnit.SECONDS);
            assertNotNull(event, "no matching event within 20 s");
            if (wanted.test(event)) {
                return event;
            }
        }
    }
}
