package io.memfabric.store.client;

import io.memfabric.common.CloseHelper;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.memfabric.store.client.ClientTests.bytes;
import static io.memfabric.store.client.ClientTests.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Many threads on one client: pipelining keeps every reply with its caller; blocking waits hold up nothing. */
@Timeout(60)
class StoreClientConcurrencyTest {
    private static StoreServer server;
    private static StoreClient client;

    @BeforeAll
    static void start() {
        server = ClientTests.startServer();
        client = ClientTests.connect(server);
    }

    @AfterAll
    static void stop() {
        CloseHelper.closeAll(client, server);
    }

    @Test
    void sixtyFourThreadsAddingThroughOneClientReachTheExactTotal() throws Exception {
        int threads = 64;
        int addsPerThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> maxima = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long delta = t + 1;
                maxima.add(pool.submit(() -> {
                    start.await();
                    long last = 0;
                    for (int i = 0; i < addsPerThread; i++) {
                        long now = client.add("concurrency/counter", delta);
                        if (now <= last) {
                            throw new AssertionError("counter went from " + last + " to " + now);
                        }
                        last = now;
                    }
                    return last;
                }));
            }
            start.countDown();
            for (Future<Long> max : maxima) {
                max.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long expected = (long) addsPerThread * threads * (threads + 1) / 2;
        assertArrayEquals(bytes(Long.toString(expected)), client.get("concurrency/counter"));
    }

    @Test
    void concurrentSetsAndGetsEachSeeTheirOwnReply() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        String k = "concurrency/own/" + thread + "/" + i;
                        byte[] value = bytes(thread + ":" + i);
                        client.set(k, value);
                        byte[] read = client.get(k);
                        if (!java.util.Arrays.equals(value, read)) {
                            throw new AssertionError(k + " read " + text(read));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pendingWaitsDoNotBlockPlainCallsOnTheMainConnection() throws Exception {
        int waits = 32;
        List<CompletableFuture<byte[]>> pending = new ArrayList<>();
        for (int i = 0; i < waits; i++) {
            pending.add(client.waitForAsync("concurrency/wait/" + i, Duration.ofSeconds(40)));
        }
        for (int i = 0; i < 1000; i++) {
            client.set("concurrency/plain/" + i, bytes("v" + i));
            assertArrayEquals(bytes("v" + i), client.get("concurrency/plain/" + i));
        }
        for (CompletableFuture<byte[]> wait : pending) {
            assertFalse(wait.isDone(), "no wait key was set yet");
        }
        for (int i = 0; i < waits; i++) {
            client.set("concurrency/wait/" + i, bytes("w" + i));
        }
        for (int i = 0; i < waits; i++) {
            assertArrayEquals(bytes("w" + i), pending.get(i).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void moreWaitsThanBlockingConnectionsQueueAndAllComplete() throws Exception {
        try (StoreClient capped = StoreClient.connect(ClientTests.options(server).maxBlockingConnections(2).build())) {
            List<CompletableFuture<byte[]>> pending = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                pending.add(capped.waitForAsync("concurrency/capped/" + i, Duration.ofSeconds(40)));
            }
            assertArrayEquals(bytes("plain"), roundTrip(capped, "concurrency/capped/plain"));
            // Set in reverse: the two waits on connections block the queue until their own keys appear.
            for (int i = 7; i >= 0; i--) {
                client.set("concurrency/capped/" + i, bytes("c" + i));
            }
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(bytes("c" + i), pending.get(i).get(30, TimeUnit.SECONDS));
            }
            assertEquals("c3", text(capped.waitFor("concurrency/capped/3", Duration.ofSeconds(5))),
                    "connections are reused after the burst");
        }
    }

    private static byte[] roundTrip(StoreClient c, String k) {
        c.set(k, bytes("plain"));
        return c.get(k);
    }
}
