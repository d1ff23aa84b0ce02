package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the client's reply decoder on an {@link EmbeddedChannel}: random replies (nested arrays, nulls, every
 * type), mutated and truncated ones, random bytes and absurd declared lengths, split at random points. The decoder
 * must yield replies or one {@link ProtocolException}, the same as when given the whole input at once, and a
 * declared length must cost nothing until its bytes arrive. Rerun a failure with {@code -Dmemfabric.fuzz.seed=<seed>}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RespReplyDecoderFuzzTest {
    private static final long SEED = Long.getLong("memfabric.fuzz.seed", System.nanoTime());
    private static final int SCALE = Math.max(1, Integer.getInteger("memfabric.fuzz.scale", 1));
    private static final RespLimits LIMITS = RespLimits.forReplies(1 << 20);
    private static final String[] HUGE = {
        "*16777216\r\n", "*16777217\r\n", "$1048576\r\n", "$1048577\r\n", "*-2\r\n", "$-2\r\n",
        "*99999999999999999999\r\n", ":9223372036854775808\r\n", "*2\r\n*2\r\n*2\r\n*2\r\n*2\r\n*2\r\n*2\r\n*2\r\n",
    };

    @Test
    void decoderYieldsRepliesOrOneProtocolErrorForAnyInputSplitAnywhere() {
        try {
            Random r = new Random(SEED);
            for (int stream = 0; stream < 1500 * SCALE; stream++) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                int replies = 1 + r.nextInt(6);
                for (int i = 0; i < replies; i++) {
                    bytes.writeBytes(anyReply(r));
                }
                decodeSplit(bytes.toByteArray(), r);
            }
        } catch (Throwable t) {
            throw new AssertionError("fuzz seed=" + SEED + " (rerun with -Dmemfabric.fuzz.seed=" + SEED + "): " + t,
                    t);
        }
    }

    @Test
    void declaredLengthsAllocateNothingUntilTheBytesArrive() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100; i++) {
            EmbeddedChannel channel = new EmbeddedChannel(new RespReplyDecoder(LIMITS));
            channel.writeInbound(Unpooled.copiedBuffer("*16777216\r\n$1048576\r\n", StandardCharsets.US_ASCII));
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[1000]));
            assertNull(channel.readInbound(), "a reply of 2^24 elements is not complete after 1000 bytes");
            assertFalse(channel.finish());
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < 32L << 20, "100 declared 2^24-element arrays allocated " + allocated + " bytes");
    }

    private static void decodeSplit(byte[] input, Random r) {
        List<String> decoded = DecoderFuzzing.decodeInPieces(new RespReplyDecoder(LIMITS), input, r,
                RespReplyDecoderFuzzTest::render);
        RespReplyDecoder whole = new RespReplyDecoder(LIMITS);
        assertEquals(DecoderFuzzing.decodeWhole(input, whole::parseReply, RespReplyDecoderFuzzTest::render), decoded,
                "the decoder fed in pieces disagrees with one parse of the whole");
    }

    private static String render(Object message) {
        return assertInstanceOf(RespMessage.class, message).toString();
    }

    private static byte[] anyReply(Random r) {
        int kind = r.nextInt(100);
        if (kind < 50) {
            return value(r, 0).getBytes(StandardCharsets.ISO_8859_1);
        } else if (kind < 70) {
            byte[] reply = value(r, 0).getBytes(StandardCharsets.ISO_8859_1);
            String noise = "*$:+-\r\n0123456789x";
            reply[r.nextInt(reply.length)] = (byte) noise.charAt(r.nextInt(noise.length()));
            return reply;
        } else if (kind < 85) {
            byte[] reply = value(r, 0).getBytes(StandardCharsets.ISO_8859_1);
            return java.util.Arrays.copyOf(reply, 1 + r.nextInt(reply.length));
        } else if (kind < 92) {
            byte[] bytes = new byte[1 + r.nextInt(48)];
            r.nextBytes(bytes);
            return bytes;
        } else {
            return HUGE[r.nextInt(HUGE.length)].getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** @return a well-formed RESP2 value, arrays nested at most a few levels deep. */
    private static String value(Random r, int depth) {
        return switch (r.nextInt(depth < 9 ? 7 : 5)) {
            case 0 -> "+OK " + r.nextInt(1000) + "\r\n";
            case 1 -> "-STORE_TIMEOUT MF.WAIT key=k" + r.nextInt(10) + "\r\n";
            case 2 -> ":" + (r.nextBoolean() ? r.nextLong() : r.nextInt(200) - 100) + "\r\n";
            case 3 -> {
                String text = "v".repeat(r.nextInt(40));
                yield "$" + text.length() + "\r\n" + text + "\r\n";
            }
            case 4 -> r.nextBoolean() ? "$-1\r\n" : "*-1\r\n";
            default -> {
                int count = r.nextInt(4);
                StringBuilder array = new StringBuilder("*" + count + "\r\n");
                for (int i = 0; i < count; i++) {
                    array.append(value(r, depth + 1));
                }
                yield array.toString();
            }
        };
    }
}
