package io.memfabric.store.server;

import io.memfabric.store.protocol.RespMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many connections at once: counters, waiters, deadlines, shutdown. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreServerConcurrencyTest {
    private StoreServer server;
    private final List<RespTestClient> clients = new ArrayList<>();
    private ExecutorService pool;

    @BeforeEach
    void startServer() {
        server = TestServers.start();
        pool = Executors.newFixedThreadPool(16);
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        clients.forEach(RespTestClient::close);
        if (server != null) {
            server.close();
        }
    }

    private synchronized RespTestClient client() {
        RespTestClient client = RespTestClient.connect(server);
        clients.add(client);
        return client;
    }

    @Test
    void sixtyFourConnectionsIncrementingReachTheExactTotal() throws Exception {
        int connections = 64;
        int increments = 500;
        List<RespTestClient> conns = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            conns.add(client());
        }
        List<Future<Long>> done = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            RespTestClient c = conns.get(i);
            long delta = i + 1;
            done.add(pool.submit(() -> {
                // Pipelined in batches of 50, so that 64 connections really interleave on the server.
                long last = 0;
                for (int batch = 0; batch < increments / 50; batch++) {
                    for (int j = 0; j < 50; j++) {
                        c.send("INCRBY", "counter", Long.toString(delta));
                    }
                    for (int j = 0; j < 50; j++) {
                        last = ((RespMessage.Integer) c.read()).value();
                    }
                }
                return last;
            }));
        }
        for (Future<Long> f : done) {
            assertTrue(f.get(60, TimeUnit.SECONDS) > 0);
        }
        long expected = (long) increments * connections * (connections + 1) / 2;
        assertEquals("$" + Long.toString(expected).length() + ":" + expected, client().text("GET", "counter"));
    }

    @Test
    void twoHundredFiftySixWaitersOnOneKeyAreAllReleasedByOneSet() throws Exception {
        int waiters = 256;
        List<RespTestClient> conns = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            RespTestClient c = client();
            c.send("MF.WAIT", "barrier/release", i % 2 == 0 ? "-1" : "600000");
            conns.add(c);
        }
        TestServers.await(waiters + " blocked waits", () -> server.blockedWaits() == waiters);
        RespTestClient control = client();
        List<Future<String>> replies = new ArrayList<>();
        for (RespTestClient c : conns) {
            replies.add(pool.submit(() -> c.read().toString()));
        }
        assertEquals("+OK", control.text("SET", "barrier/release", "go"));
        for (Future<String> reply : replies) {
            assertEquals("$2:go", reply.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void waitsOnManyKeysAreReleasedIndependently() throws Exception {
        int keys = 200;
        List<RespTestClient> conns = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            RespTestClient c = client();
            c.send("MF.WAIT", "k/" + i, "-1");
            conns.add(c);
        }
        TestServers.await(keys + " blocked waits", () -> server.blockedWaits() == keys);
        RespTestClient setter = client();
        for (int i = keys - 1; i >= 0; i--) {
            setter.send("SET", "k/" + i, "v" + i);
        }
        for (int i = 0; i < keys; i++) {
            assertEquals("+OK", setter.read().toString());
        }
        for (int i = 0; i < keys; i++) {
            assertEquals("$" + ("v" + i).length() + ":v" + i, conns.get(i).read().toString());
        }
    }

    @Test
    void aWaitNeverTimesOutEarlyAndDoesTimeOut() throws Exception {
        long[] timeoutsMs = {1, 2, 5, 10, 25, 50, 100, 200};
        List<Callable<Void>> checks = new ArrayList<>();
        for (long timeoutMs : timeoutsMs) {
            for (int repeat = 0; repeat < 4; repeat++) {
                RespTestClient c = client();
                String key = "t/" + timeoutMs + "/" + repeat;
                checks.add(() -> {
                    long start = System.nanoTime();
                    String reply = c.text("MF.WAIT", key, Long.toString(timeoutMs));
                    long elapsedNanos = System.nanoTime() - start;
                    assertEquals("-STORE_TIMEOUT MF.WAIT key=" + key + " after " + timeoutMs + " ms", reply);
                    assertTrue(elapsedNanos >= TimeUnit.MILLISECONDS.toNanos(timeoutMs),
                            "timed out after " + elapsedNanos + " ns, before " + timeoutMs + " ms");
                    assertTrue(elapsedNanos < TimeUnit.MILLISECONDS.toNanos(timeoutMs) + TimeUnit.SECONDS.toNanos(15),
                            "timed out only after " + elapsedNanos + " ns");
                    return null;
                });
            }
        }
        for (Future<Void> f : pool.invokeAll(checks)) {
            f.get();
        }
    }

    @Test
    void stoppingTheServerReleasesEveryBlockedWaiterWithAnError() throws Exception {
        List<RespTestClient> conns = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            RespTestClient c = client();
            c.send("MF.WAIT", "stop/" + (i % 4), i % 2 == 0 ? "-1" : "600000");
            conns.add(c);
        }
        TestServers.await("32 blocked waits", () -> server.blockedWaits() == 32);
        List<Future<String>> replies = new ArrayList<>();
        for (RespTestClient c : conns) {
            replies.add(pool.submit(() -> c.read().toString()));
        }
        server.close();
        for (int i = 0; i < conns.size(); i++) {
            String reply = replies.get(i).get(30, TimeUnit.SECONDS);
            assertEquals("-STORE_SHUTDOWN MF.WAIT key=stop/" + (i % 4) + ": the store server is stopping", reply);
            assertTrue(conns.get(i).awaitClosed(Duration.ofSeconds(10)));
        }
        assertEquals(0, server.connectedClients());
    }
}
