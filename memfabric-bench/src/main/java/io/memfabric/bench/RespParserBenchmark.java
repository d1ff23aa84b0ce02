package io.memfabric.bench;

import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespCommandDecoder;
import io.memfabric.store.protocol.RespLimits;
import io.memfabric.store.protocol.RespMessage;
import io.memfabric.store.protocol.RespReplyDecoder;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;

/**
 * The config store's decode path: one {@code SET key value} command as the server parses it, and one bulk reply as
 * the client parses it. Run with {@code -prof gc} to see the bytes allocated per command ({@code gc.alloc.rate.norm}):
 * the argument arrays themselves are the floor.
 */
@State(Scope.Thread)
public class RespParserBenchmark extends MemFabricBenchmark {
    @Param({"3", "1024"})
    int valueBytes;

    private ByteBuf command;
    private ByteBuf reply;
    private RespCommandDecoder commandParser;
    private RespReplyDecoder replyParser;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] value = new byte[valueBytes];
        command = Unpooled.directBuffer();
        RespWriter.command(command, "SET".getBytes(StandardCharsets.US_ASCII),
                "key:000000000042".getBytes(StandardCharsets.US_ASCII), value);
        reply = Unpooled.directBuffer();
        RespWriter.bulk(reply, value);
        commandParser = new RespCommandDecoder(RespLimits.forCommands(RespLimits.DEFAULT_MAX_VALUE_BYTES,
                RespLimits.DEFAULT_MAX_ARGUMENTS));
        replyParser = new RespReplyDecoder(RespLimits.forReplies(RespLimits.DEFAULT_MAX_VALUE_BYTES));
    }

    /** @return the decoded command (returned so that the JIT cannot drop the work). */
    @Benchmark
    public RespCommand parseSetCommand() {
        command.readerIndex(0);
        return commandParser.parseCommand(command);
    }

    /** @return the decoded reply. */
    @Benchmark
    public RespMessage parseBulkReply() {
        reply.readerIndex(0);
        return replyParser.parseReply(reply);
    }
}
