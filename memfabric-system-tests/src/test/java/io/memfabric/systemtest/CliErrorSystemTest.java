package io.memfabric.systemtest;

import io.memfabric.cli.MemFabricCommand;
import io.memfabric.testsupport.FreePorts;
import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees when the CLI cannot do its job, in the CLI's own JVM as a user starts it: a store URL that points
 * at no store (a closed port, an HTTP server) is one line on stderr and exit code 1, the stack trace only with
 * {@code --verbose}; bad options are one line and exit code 2 before anything has been started.
 */
@Timeout(120)
class CliErrorSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private String testName;

    @BeforeEach
    void setUp(TestInfo info) {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
    }

    private record Outcome(int exit, List<String> out, List<String> err) {
    }

    private Outcome memfabric(String name, String... args) throws IOException {
        try (RankProcess cli = RankProcess.builder(MemFabricCommand.class).name(name).testName(testName).args(args)
                .start()) {
            int exit = cli.exitCode(WAIT);
            return new Outcome(exit, cli.lines(), Files.readAllLines(cli.stderrFile(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aClosedPortIsOneLine() throws Exception {
        int port = FreePorts.next();
        Outcome o = memfabric("closed-port", "demo", "--store", "tcp://127.0.0.1:" + port);
        assertEquals(1, o.exit(), o.toString());
        assertEquals(1, o.err().size(), "one line: " + o.err());
        assertTrue(o.err().get(0).startsWith("memfabric demo: --store tcp://127.0.0.1:" + port
                + ": no memfabric store there ("), o.err().get(0));
        assertTrue(o.err().get(0).endsWith("[STORE_IO_ERROR/-602]"), o.err().get(0));
        assertEquals(List.of(), o.out(), "no rank was started");
    }

    @Test
    void anHttpServerIsOneLineAndVerboseAddsTheStackTrace() throws Exception {
        try (ServerSocket http = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> answerHttp(http));
            String url = "tcp://127.0.0.1:" + http.getLocalPort();
            Outcome o = memfabric("http", "demo", "--store", url);
            assertEquals(1, o.exit(), o.toString());
            assertEquals(1, o.err().size(), "one line: " + o.err());
            assertTrue(o.err().get(0).startsWith("memfabric demo: --store " + url + ": no memfabric store there ("),
                    o.err().get(0));

            Outcome verbose = memfabric("http-verbose", "demo", "--verbose", "--store", url);
            assertEquals(1, verbose.exit(), verbose.toString());
            assertTrue(verbose.err().contains(o.err().get(0)), verbose.err().toString());
            assertTrue(verbose.err().stream().anyMatch(l -> l.startsWith("\tat io.memfabric.")),
                    "a stack trace: " + verbose.err());
            server.interrupt();
        }
    }

    @Test
    void aBadOptionIsOneLineBeforeAnyRankStarts() throws Exception {
        for (String[] args : new String[][] {{"demo", "--route", "rdma"}, {"bench", "bm", "--ws", "100000"},
            {"bench", "bm", "--cc", "5"}}) {
            Outcome o = memfabric("bad-option-" + args[args.length - 2].replace("-", ""), args);
            assertEquals(2, o.exit(), o.toString());
            assertEquals(1, o.err().size(), "one line: " + o.err());
            assertTrue(o.err().get(0).contains(args[args.length - 2]) && o.err().get(0).contains("(expected: "),
                    o.err().get(0));
            assertEquals(List.of(), o.out(), "nothing started: " + o.out());
        }
    }

    /** Answers every connection as an HTTP server answers a request it cannot parse. */
    private static void answerHttp(ServerSocket http) {
        while (!http.isClosed()) {
            try (Socket client = http.accept()) {
                InputStream in = client.getInputStream();
                in.read(new byte[4096]);
                OutputStream out = client.getOutputStream();
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n<html></html>"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                return;
            }
        }
    }
}
