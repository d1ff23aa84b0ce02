package io.memfabric.store.server;

import io.memfabric.error.ProtocolException;
import io.memfabric.store.protocol.DecoderFuzzing;
import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespCommandDecoder;
import io.memfabric.store.protocol.RespLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the RESP command decoder, alone on an {@link EmbeddedChannel} and inside a live server over real sockets:
 * random, mutated and truncated frames, random bytes, absurd declared lengths and deep nesting. The decoder must
 * yield commands or one {@link ProtocolException}, allocate nothing in proportion to a declared length, leak no
 * buffer; the server must keep serving well-formed clients and forget every connection.
 *
 * <p>The seed is printed in every failure; rerun one with {@code -Dmemfabric.fuzz.seed=<seed>}. More fuzzing:
 * {@code -Dmemfabric.fuzz.scale=N} (see {@code bin/fuzz-long}).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RespFuzzTest {
    private static final long SEED = Long.getLong("memfabric.fuzz.seed", System.nanoTime());
    /** Multiplies the amount of fuzzing; {@code bin/fuzz-long} raises it (the test command runs with 1). */
    private static final int SCALE = Math.max(1, Integer.getInteger("memfabric.fuzz.scale", 1));
    private static final RespLimits LIMITS = RespLimits.forCommands(64L << 20, 1024);
    private StoreServer server;

    @BeforeAll
    static void hookLeakDetector() {
        NettyLeakCheck.install();
    }

    @BeforeEach
    void startServer() {
        server = TestServers.start();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static AssertionError withSeed(Throwable failure) {
        return new AssertionError("fuzz seed=" + SEED + " (rerun with -Dmemfabric.fuzz.seed=" + SEED + "): "
                + failure, failure);
    }

    @Test
    void decoderYieldsCommandsOrOneProtocolErrorForAnyInputSplitAnywhere() throws Exception {
        try {
            Random r = new Random(SEED);
            for (int stream = 0; stream < 1500 * SCALE; stream++) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                int frames = 1 + r.nextInt(6);
                for (int i = 0; i < frames; i++) {
                    bytes.writeBytes(RespFrames.any(r));
                }
                decodeSplit(bytes.toByteArray(), r);
            }
            NettyLeakCheck.assertNoLeaks();
        } catch (Throwable t) {
            throw withSeed(t);
        }
    }

    /** Feeds {@code input} in random pieces; checks what comes out against one parse of the whole. */
    private static void decodeSplit(byte[] input, Random r) {
        List<String> decoded = DecoderFuzzing.decodeInPieces(new RespCommandDecoder(LIMITS), input, r,
                RespFuzzTest::render);
        RespCommandDecoder whole = new RespCommandDecoder(LIMITS);
        assertEquals(DecoderFuzzing.decodeWhole(input, whole::parseCommand, RespFuzzTest::render), decoded,
                "the decoder fed in pieces disagrees with one parse of the whole");
    }

    private static String render(Object message) {
        RespCommand command = assertInstanceOf(RespCommand.class, message);
        assertTrue(command.size() >= 1 && command.size() <= LIMITS.maxArrayLength());
        List<String> args = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            args.add(java.util.HexFormat.of().formatHex(command.arg(i)));
        }
        return String.join(" ", args);
    }

    @Test
    void declaredLengthsAllocateNothingUntilTheBytesArrive() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100; i++) {
            EmbeddedChannel channel = new EmbeddedChannel(new RespCommandDecoder(LIMITS));
            channel.writeInbound(Unpooled.copiedBuffer("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$67108864\r\n",
                    StandardCharsets.US_ASCII));
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[1000]));
            assertNull(channel.readInbound(), "a 64 MiB value is not complete after 1000 bytes");
            assertFalse(channel.finish());
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < 32L << 20, "100 declared 64 MiB values allocated " + allocated + " bytes");

        for (String huge : new String[] {"*2147483647\r\n", "*1\r\n$2147483647\r\n", "*1\r\n*1\r\n*1\r\n"}) {
            EmbeddedChannel channel = new EmbeddedChannel(new RespCommandDecoder(LIMITS));
            channel.writeInbound(Unpooled.copiedBuffer(huge, StandardCharsets.US_ASCII));
            assertInstanceOf(ProtocolException.class, channel.readInbound(), huge);
            assertFalse(channel.finish());
        }
        NettyLeakCheck.assertNoLeaks();
    }

    @Test
    void theServerSurvivesTenThousandFuzzedFramesOverSockets() throws Exception {
        int connections = 250 * SCALE;
        int framesPerConnection = 48;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                long connectionSeed = SEED + c;
                done.add(pool.submit(() -> {
                    fuzzOneConnection(new Random(connectionSeed), framesPerConnection);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            assertServesAndForgetsEveryone();
        } catch (Throwable t) {
            throw withSeed(t);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends {@code frames} random frames in random pieces, half-closes, and reads until the server closes. */
    private void fuzzOneConnection(Random r, int frames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < frames; i++) {
            bytes.writeBytes(RespFrames.any(r));
        }
        byte[] input = bytes.toByteArray();
        try (Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                int at = 0;
                while (at < input.length) {
                    int piece = Math.min(input.length - at, 1 + r.nextInt(512));
                    out.write(input, at, piece);
                    at += piece;
                }
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // The server closed the connection after a malformed frame: expected.
            }
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[8192];
            try {
                while (in.read(sink) >= 0) {
                    // drain replies until the server closes
                }
            } catch (IOException e) {
                // reset after a protocol error: expected
            }
        }
    }

    private void assertServesAndForgetsEveryone() throws Exception {
        try (RespTestClient c = RespTestClient.connect(server)) {
            assertEquals("+OK", c.text("SET", "after-fuzz", "still serving"));
            assertEquals("$13:still serving", c.text("GET", "after-fuzz"));
        }
        TestServers.await("every fuzzed connection is forgotten", () -> server.connectedClients() == 0);
        assertEquals(0, server.blockedWaits());
        NettyLeakCheck.assertNoLeaks();
    }

    @Test
    void declaredLengthsDoNotGrowTheServersMemory() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long serverThread = server.eventLoopThreadId();
        long directBefore = usedDirectMemory();
        long heapBefore = threads.getThreadAllocatedBytes(serverThread);
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
                open.add(socket);
                socket.getOutputStream().write(("*3\r\n$3\r\nSET\r\n$4\r\nbig" + (i % 10) + "\r\n$67108864\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(new byte[4096]);
                socket.getOutputStream().flush();
            }
            // A fence: once this reply is here, the server has read what came before on the other sockets too,
            // or will shortly; wait until all 50 are admitted.
            TestServers.await("50 connections", () -> server.connectedClients() == 50);
            try (RespTestClient c = RespTestClient.connect(server)) {
                assertEquals("+PONG", c.text("PING"));
            }
            long heapGrowth = threads.getThreadAllocatedBytes(serverThread) - heapBefore;
            long directGrowth = usedDirectMemory() - directBefore;
            assertTrue(heapGrowth < 64L << 20, "50 declared 64 MiB values: server allocated " + heapGrowth
                    + " heap bytes");
            assertTrue(directGrowth < 64L << 20, "50 declared 64 MiB values: direct memory grew by "
                    + directGrowth + " bytes");
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
        assertServesAndForgetsEveryone();
    }

    private static long usedDirectMemory() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            return provider.metric().usedDirectMemory();
        }
        return 0;
    }

    @Test
    void aHugeInlineLineIsRefused() throws Exception {
        try (RespTestClient c = RespTestClient.connect(server)) {
            byte[] line = new byte[70_000];
            java.util.Arrays.fill(line, (byte) 'a');
            c.sendRaw(line);
            String reply = c.read().toString();
            assertTrue(reply.startsWith("-ERR Protocol error: too big inline command"), reply);
        }
        assertServesAndForgetsEveryone();
    }

    @Test
    void aDecodedBufferIsNeverLeakedWhenTheConnectionDiesMidFrame() throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                socket.getOutputStream().write(("*2\r\n$3\r\nGET\r\n$100\r\n" + "x".repeat(i))
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
        ByteBuf probe = ByteBufAllocator.DEFAULT.buffer();
        probe.release();
        assertServesAndForgetsEveryone();
    }
}
