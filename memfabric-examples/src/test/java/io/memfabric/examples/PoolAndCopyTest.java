package io.memfabric.examples;

import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The example in one process (one rank copies to itself); {@code ExamplesSystemTest} runs it across processes.
 */
@Timeout(60)
class PoolAndCopyTest {
    @Test
    void shouldFindNoWrongByteWithOneRank() {
        try (StoreServer store = StoreServer.start(StoreServerOptions.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).build())) {
            assertEquals(0, PoolAndCopy.run(store.url().toString(), 1));
        }
    }

    @Test
    void shouldCountEveryByteThatIsNotTheRanksPattern() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(1000);
            PoolAndCopy.fill(block, 3);
            assertEquals(0, PoolAndCopy.wrongBytes(block, 3));
            block.set(ValueLayout.JAVA_BYTE, 999, (byte) 0);
            block.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertEquals(2, PoolAndCopy.wrongBytes(block, 3));
            PoolAndCopy.fill(block, 4);
            assertEquals(1000, PoolAndCopy.wrongBytes(block, 3), "another rank's block");
            assertEquals(999, PoolAndCopy.wrongBytes(block.asSlice(1), 4), "a block shifted by one byte");
        }
    }
}
