package io.memfabric.transport.tcp;

import io.memfabric.transport.RegisteredRegions;
import io.memfabric.transport.Space;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data listener under random, truncated and out-of-bounds requests (thousands, seeded): it never touches memory
 * outside a slot or a registered region (guard bytes around each stay unchanged), never crashes, and keeps serving a
 * well-formed peer afterwards.
 */
@Timeout(120)
class DataListenerFuzzTest {
    private static final long GUARD = 4096;
    private static final long HOST = 64 << 10;
    private static final long DEVICE = 16 << 10;
    private static final long REGION = 8 << 10;
    private static final byte GUARD_BYTE = (byte) 0xA5;
    private static final int RANK = 3;

    private Arena arena;
    private MemorySegment memory;
    private MemorySegment host;
    private MemorySegment device;
    private MemorySegment region;
    private RegisteredRegions registered;
    private TcpTransport transport;
    private final AtomicInteger pushes = new AtomicInteger();

    @BeforeEach
    void start() {
        arena = Arena.ofShared();
        // [guard][host][guard][device][guard][region][guard]
        memory = arena.allocate(4 * GUARD + HOST + DEVICE + REGION, 4096);
        memory.fill(GUARD_BYTE);
        host = memory.asSlice(GUARD, HOST);
        device = memory.asSlice(2 * GUARD + HOST, DEVICE);
        region = memory.asSlice(3 * GUARD + HOST + DEVICE, REGION);
        host.fill((byte) 1);
        device.fill((byte) 2);
        region.fill((byte) 3);
        registered = new RegisteredRegions();
        registered.register(region);
        transport = TcpTransport.start(RANK, new InetSocketAddress("127.0.0.1", 0), host, device, registered,
                (srcSpace, srcOffset, length, dstRank, dstSpace, dstOffset) -> {
                    pushes.incrementAndGet();
                    return 0;
                }, new TcpOptions(2, 2_000_000_000L, 20_000, 1_000_000, Thread::new, "fuzz-"));
    }

    @AfterEach
    void stop() {
        transport.close();
        arena.close();
    }

    @Test
    void randomTruncatedAndOutOfBoundsRequestsShouldNeverTouchMemoryOutsideSlotsOrStopTheListener()
            throws IOException {
        SplittableRandom random = new SplittableRandom(20260412L);
        int frames = 0;
        int scale = Math.max(1, Integer.getInteger("memfabric.fuzz.scale", 1)); // bin/fuzz-long raises it
        for (int connection = 0; connection < 1000 * scale; connection++) {
            frames += fuzzConnection(random);
        }
        assertTrue(frames >= 3000, "frames sent: " + frames);
        assertGuardsIntact();
        // A well-formed peer is still served, on every space.
        TcpPeerLink link = transport.link(RANK, transport.localAddress());
        try {
            MemorySegment src = Arena.ofAuto().allocate(HOST);
            for (long i = 0; i < HOST; i++) {
                src.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
            link.write(src, 0, Space.HOST_SLOT, 0, HOST);
            assertEquals(-1, host.mismatch(src));
            MemorySegment back = Arena.ofAuto().allocate(DEVICE);
            link.write(src, 0, Space.DEVICE_SLOT, 0, DEVICE);
            link.read(Space.DEVICE_SLOT, 0, back, 0, DEVICE);
            assertEquals(-1, back.mismatch(src.asSlice(0, DEVICE)));
            link.write(src, 0, Space.REGISTERED, region.address(), REGION);
            assertEquals(-1, region.mismatch(src.asSlice(0, REGION)));
        } finally {
            link.close();
        }
        assertGuardsIntact();
    }

    /** One connection: a handshake (sometimes broken), then frames of every kind; @return frames sent. */
    private int fuzzConnection(SplittableRandom random) throws IOException {
        int frames = 0;
        try (SocketChannel channel = SocketChannel.open(transport.localAddress())) {
            channel.socket().setSoTimeout(2000);
            ByteBuffer out = ByteBuffer.allocateDirect(256 << 10).order(ByteOrder.LITTLE_ENDIAN);
            MemorySegment frame = MemorySegment.ofBuffer(out);
            int mode = random.nextInt(10);
            if (mode == 0) {
                // Garbage from the first byte.
                out.limit(random.nextInt(1, 200));
                for (int i = 0; i < out.limit(); i++) {
                    out.put(i, (byte) random.nextInt());
                }
                channel.write(out);
                drain(channel);
                return 1;
            }
            new HelloFlyweight().wrap(frame, 0).magic(TcpProtocol.MAGIC).version(TcpProtocol.VERSION).flags((short) 0)
                    .rankOrStatus(99).targetRank(mode == 1 ? RANK + 1 : RANK).reserved(0);
            if (mode == 2) {
                frame.set(TcpProtocol.I16, HelloFlyweight.VERSION_OFFSET, (short) 7);
            }
            out.limit(HelloFlyweight.LENGTH);
            writeAll(channel, out);
            int count = random.nextInt(1, 16);
            for (int f = 0; f < count; f++) {
                out.clear();
                int length = request(random, frame);
                out.limit(length);
                frames++;
                if (!writeAll(channel, out)) {
                    break; // the listener closed the connection: expected after a malformed or refused frame
                }
            }
            drain(channel);
        }
        return frames;
    }

    /** Writes one random request (and maybe a payload, maybe truncated) into {@code frame}; @return its length. */
    private static int request(SplittableRandom random, MemorySegment frame) {
        short type = (short) pick(random, new long[] {TcpProtocol.TYPE_READ, TcpProtocol.TYPE_WRITE,
                TcpProtocol.TYPE_PUSH, 0, 4, -1, 0x81});
        int space = (int) pick(random, new long[] {0, 1, 2, 3, -1, Integer.MAX_VALUE});
        long address = pick(random, new long[] {0, 1, HOST - 1, HOST, HOST + 1, DEVICE - 1, DEVICE, -1, -HOST,
                Long.MAX_VALUE, Long.MIN_VALUE, random.nextLong(), random.nextLong(HOST)});
        long length = pick(random, new long[] {0, 1, 2, 64, HOST, HOST + 1, DEVICE, -1, Long.MAX_VALUE,
                Long.MIN_VALUE, TcpProtocol.MAX_REQUEST_BYTES + 1, random.nextLong(1, 300)});
        new RequestFlyweight().wrap(frame, 0).version(TcpProtocol.VERSION).type(type).space(space)
                .requestId(random.nextLong()).address(address).length(length).peerRank(random.nextInt())
                .peerSpace(random.nextInt(-1, 4)).peerAddress(random.nextLong());
        if (random.nextInt(20) == 0) {
            frame.set(TcpProtocol.I16, RequestFlyweight.VERSION_OFFSET, (short) random.nextInt());
        }
        int total = RequestFlyweight.LENGTH;
        if (type == TcpProtocol.TYPE_WRITE && length > 0) {
            // A payload of the announced length, or a truncated one (the connection then ends mid-frame).
            long payload = random.nextInt(4) == 0 ? random.nextLong(0, Math.min(length, 1000) + 1) : length;
            payload = Math.min(payload, frame.byteSize() - total);
            frame.asSlice(total, payload).fill((byte) 0x5C);
            total += (int) payload;
        }
        if (random.nextInt(15) == 0) {
            total = random.nextInt(1, RequestFlyweight.LENGTH); // a truncated header
        }
        return total;
    }

    private static long pick(SplittableRandom random, long[] values) {
        return values[random.nextInt(values.length)];
    }

    private static boolean writeAll(SocketChannel channel, ByteBuffer out) {
        try {
            while (out.hasRemaining()) {
                channel.write(out);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads replies until the listener stops sending (closed, or nothing for a moment). */
    private static void drain(SocketChannel channel) {
        try {
            channel.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocate(64 << 10);
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < 2_000_000) {
                in.clear();
                int n = channel.read(in);
                if (n < 0) {
                    return;
                }
                if (n > 0) {
                    quietSince = System.nanoTime();
                } else {
                    Thread.onSpinWait();
                }
            }
        } catch (IOException e) {
            // Reset by the listener: fine.
        }
    }

    private void assertGuardsIntact() {
        long[][] guards = {{0, GUARD}, {GUARD + HOST, GUARD}, {2 * GUARD + HOST + DEVICE, GUARD},
            {3 * GUARD + HOST + DEVICE + REGION, GUARD}};
        for (long[] g : guards) {
            for (long i = g[0]; i < g[0] + g[1]; i++) {
                if (memory.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != GUARD_BYTE) {
                    throw new AssertionError("guard byte at " + i + " changed");
                }
            }
        }
    }
}
