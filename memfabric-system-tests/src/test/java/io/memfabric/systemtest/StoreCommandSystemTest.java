package io.memfabric.systemtest;

import io.memfabric.cli.MemFabricCommand;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.client.StoreClient;
import io.memfabric.store.protocol.RespLimits;
import io.memfabric.store.protocol.RespMessage;
import io.memfabric.store.protocol.RespReplyDecoder;
import io.memfabric.testsupport.FreePorts;
import io.memfabric.testsupport.RankProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code memfabric store} as users run it: a real JVM started through the CLI's main class, used by a client, and
 * stopped with SIGTERM — which must release a blocked waiter with an error and exit 0.
 */
@Timeout(120)
class StoreCommandSystemTest {
    private static final Duration START = Duration.ofSeconds(60);

    @Test
    void standaloneStoreServesClientsAndStopsGracefullyOnSigterm(TestInfo info) throws Exception {
        int port = FreePorts.next();
        String url = "tcp://127.0.0.1:" + port;
        try (RankProcess store = RankProcess.builder(MemFabricCommand.class).name("store")
                .testName(info.getTestMethod().orElseThrow().getName())
                .args("store", "--listen", url).start()) {
            store.awaitLine(Pattern.compile("memfabric store listening on " + Pattern.quote(url)), START);
            try (StoreClient client = StoreClient.connect(StoreUrl.parse(url))) {
                client.set("greeting", "hello".getBytes(StandardCharsets.UTF_8));
                assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), client.get("greeting"));
                CompletableFuture<byte[]> blocked = client.waitForAsync("never-set", Duration.ofSeconds(60));
                awaitBlockedClients(port, 1);

                ProcessHandle.of(store.pid()).orElseThrow().destroy(); // SIGTERM
                ExecutionException failed = assertThrows(ExecutionException.class,
                        () -> blocked.get(30, TimeUnit.SECONDS));
                StoreException e = assertInstanceOf(StoreException.class, failed.getCause());
                assertEquals(ErrorCode.STORE_SHUTDOWN, e.code(), "blocked waiter released with " + e);
            }
            assertEquals(0, store.exitCode(Duration.ofSeconds(30)), "exit code after SIGTERM");
            store.awaitLine(Pattern.compile("memfabric store stopped"), Duration.ofSeconds(10));
        }
    }

    /** Polls {@code INFO clients} over a plain socket until the server counts {@code count} blocked waits. */
    private static void awaitBlockedClients(int port, int count) throws Exception {
        byte[] request = "*2\r\n$4\r\nINFO\r\n$7\r\nclients\r\n".getBytes(StandardCharsets.US_ASCII);
        RespReplyDecoder parser = new RespReplyDecoder(RespLimits.forReplies(1 << 20));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            while (true) {
                socket.getOutputStream().write(request);
                ByteBuf received = Unpooled.buffer();
                RespMessage reply;
                try {
                    while ((reply = parser.parseReply(received)) == null) {
                        byte[] chunk = new byte[4096];
                        int n = socket.getInputStream().read(chunk);
                        assertTrue(n > 0, "store closed the INFO connection");
                        received.writeBytes(chunk, 0, n);
                    }
                } finally {
                    received.release();
                }
                String info = new String(((RespMessage.Bulk) reply).bytes(), StandardCharsets.US_ASCII);
                if (info.contains("blocked_clients:" + count + "\r\n")) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "no " + count + " blocked client(s) after 30 s: " + info);
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void storeRefusesABadListenAddressWithUsageExitCode() {
        for (String listen : new String[] {"tcp://0.0.0.0:7000", "http://127.0.0.1:7000"}) {
            CliRun run = CliRun.of("store", "--listen", listen);
            assertEquals(2, run.exit(), run.toString());
            assertEquals(1, run.errLines().size(), run.toString());
            assertTrue(run.err().startsWith("memfabric store: Invalid value for option '--listen': "), run.toString());
            assertTrue(run.err().contains(listen), run.toString());
            assertEquals("", run.out(), "no store started: " + run);
        }
    }

    @Test
    void infoDescribesThisHost() {
        CliRun run = CliRun.of("info");
        assertEquals(0, run.exit(), run.toString());
        for (String row : new String[] {"jdk ", "host id ", "shared memory ", "route shm ", "route cma ",
            "route tcp ", "store max value "}) {
            assertTrue(run.outLines().stream().anyMatch(l -> l.startsWith(row)), row + "missing: " + run);
        }
        assertTrue(run.outLines().stream().anyMatch(l -> l.matches("route shm +usable - .*")),
                "shm works on the machine that runs the system tests: " + run);
    }
}
