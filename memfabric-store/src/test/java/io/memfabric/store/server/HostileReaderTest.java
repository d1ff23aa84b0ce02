package io.memfabric.store.server;

import io.memfabric.store.protocol.RespMessage;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that asks for a large value many times in one pipelined write and never reads (D1): the server must hold
 * a bounded amount of memory for it — measured as the Netty allocator's heap and direct bytes in use, which every
 * reply buffer of the server comes from — and keep serving everyone else.
 */
@Timeout(120)
class HostileReaderTest {
    private static final int VALUE_BYTES = 8 << 20;
    private static final int GETS = 64;

    @Test
    void shouldHoldBoundedMemoryForAClientThatPipelinesLargeGetsAndNeverReads() throws Exception {
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        try (StoreServer server = TestServers.start(); RespTestClient other = RespTestClient.connect(server)) {
            byte[] value = new byte[VALUE_BYTES];
            Arrays.fill(value, (byte) 'v');
            assertEquals("+OK", other.call(RespTestClient.bytes("SET"), RespTestClient.bytes("big"), value)
                    .toString());
            long baseline = used(metric);
            try (Socket hostile = new Socket()) {
                hostile.setReceiveBufferSize(64 << 10);
                hostile.connect(server.localAddress());
                OutputStream out = hostile.getOutputStream();
                ByteArrayOutputStream requests = new ByteArrayOutputStream();
                for (int i = 0; i < GETS; i++) {
                    requests.writeBytes("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write(requests.toByteArray());
                out.flush();
                AtomicLong peak = new AtomicLong();
                Thread sampler = Thread.ofPlatform().name("memory-sampler").start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        peak.accumulateAndGet(used(metric) - baseline, Math::max);
                        LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
                    }
                });
                try {
                    long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    while (System.nanoTime() < end) {
                        assertEquals("+PONG", other.text("PING"), "other clients are served meanwhile");
                        Thread.sleep(10);
                    }
                } finally {
                    sampler.interrupt();
                    sampler.join();
                }
                System.err.println("server memory held for a non-reading client: peak " + peak.get() + " bytes");
                // Unbounded, the replies would pile up to GETS x 8 MiB = 512 MiB; bounded, one reply and the socket's
                // high-water mark are in flight at a time.
                assertTrue(peak.get() < 4L * VALUE_BYTES, "server memory for one non-reading client: " + peak.get()
                        + " bytes (expected: < " + 4L * VALUE_BYTES + ")");
                assertArrayEquals(value, ((RespMessage.Bulk) other.call("GET", "big")).bytes(),
                        "the value is still served whole to a reading client");
            }
        }
    }

    private static long used(ByteBufAllocatorMetric metric) {
        return metric.usedHeapMemory() + metric.usedDirectMemory();
    }
}
