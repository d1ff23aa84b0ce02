package io.memfabric.store.protocol;

import io.memfabric.error.ProtocolException;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The server's RESP decoder on an {@link EmbeddedChannel}: framing, inline commands, errors, limits. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RespCommandDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new RespCommandDecoder(
            RespLimits.forCommands(1024, 8)));

    @AfterEach
    void nothingLeftBehind() {
        assertFalse(channel.finish());
    }

    private void write(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private String next() {
        Object message = channel.readInbound();
        return message == null ? null : message instanceof ProtocolException e ? "!" + e.getMessage()
                : message.toString();
    }

    @Test
    void decodesAnArrayOfBulkStrings() {
        write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva\r\nl\r\n");
        assertEquals("SET k va\r\nl", next());
        assertNull(next());
    }

    @Test
    void splitCrLfAcrossReadsDoesNotLoop() {
        write("*1\r");
        assertNull(next());
        write("\n$4\r");
        assertNull(next());
        write("\nPING\r");
        assertNull(next());
        write("\n");
        assertEquals("PING", next());
    }

    @Test
    void decodesInlineCommandsAndSkipsEmptyOnes() {
        write("\r\n\n  PING  hello\tworld \r\n*0\r\nECHO x\n");
        assertEquals("PING hello world", next());
        assertEquals("ECHO x", next());
        assertNull(next());
    }

    @Test
    void aMalformedFrameYieldsOneErrorAndNothingAfter() {
        write("*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\n");
        assertEquals("PING", next());
        assertEquals("!Protocol error: invalid bulk length", next());
        assertNull(next());
        write("*1\r\n$4\r\nPING\r\n");
        assertNull(next(), "input after the error is discarded");
    }

    @Test
    void lengthsBeyondTheLimitsAreRefusedBeforeTheBytesArrive() {
        write("*9\r\n");
        assertEquals("!Protocol error: invalid multibulk length: 9 (expected: <= 8)", next());
    }

    @Test
    void aBulkBeyondTheLimitIsRefusedAtItsHeader() {
        write("*1\r\n$1025\r\n");
        assertEquals("!Protocol error: invalid bulk length: 1025 (expected: 0..1024)", next());
    }

    @Test
    void nestedArraysAreNotCommands() {
        write("*1\r\n*1\r\n$1\r\nx\r\n");
        assertEquals("!Protocol error: expected '$', got '*'", next());
    }

    @Test
    void aBulkNotFollowedByCrLfIsRefused() {
        write("*1\r\n$4\r\nPINGxx");
        assertEquals("!Protocol error: bulk string not terminated by CRLF", next());
    }

    @Test
    void negativeArrayLengthsAreEmptyFramesWhateverTheirSize() {
        write("*-1\r\n*-4294967295\r\n*-9223372036854775807\r\n*1\r\n$4\r\nPING\r\n");
        assertEquals("PING", next());
        assertNull(next());
    }

    @Test
    void theFrameAtATimeParserAgreesOnNegativeLengths() {
        RespCommandDecoder parser = new RespCommandDecoder(RespLimits.forCommands(1024, 8));
        io.netty.buffer.ByteBuf in = Unpooled.copiedBuffer("*-4294967295\r\n*1\r\n$4\r\nPING\r\n",
                StandardCharsets.US_ASCII);
        try {
            assertEquals("PING", parser.parseCommand(in).toString());
            assertNull(parser.parseCommand(in));
        } finally {
            in.release();
        }
    }
}
