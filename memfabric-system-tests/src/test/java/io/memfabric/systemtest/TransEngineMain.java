package io.memfabric.systemtest;

import io.memfabric.error.MemFabricException;
import io.memfabric.testsupport.RankProcess;
import io.memfabric.trans.Role;
import io.memfabric.trans.TransferBatch;
import io.memfabric.trans.TransferEngine;
import io.memfabric.trans.TransferEngineOptions;
import io.memfabric.trans.TransferHandle;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One TransferEngine in its own JVM, driven line by line from stdin by a system test. Arguments:
 * {@code <storeUrl|none> <sessionId> <role>} ({@code none}: no store, peers found by handshake). Buffers are named by
 * the test; their contents are patterns of a seed, so that both sides can check every byte without shipping data.
 *
 * <pre>
 * stdin                                          stdout
 * register NAME BYTES ALIGN-SKEW                 registered NAME address=HEX
 * allocate NAME BYTES                            allocated NAME address=HEX
 * fill NAME SEED                                 filled NAME
 * verify NAME OFFSET BYTES SEED                  verified NAME | mismatch NAME at=I
 * write PEER NAME PEER-ADDRESS BYTES             ok write | error CODE message
 * read PEER NAME PEER-ADDRESS BYTES              ok read | error CODE message
 * writeasync PEER NAME PEER-ADDRESS BYTES        ok writeasync | error CODE message
 * kv PEER NAME PEER-ADDRESS LAYERS               kv failed=F (LAYERS x (128 KiB + 16 KiB) blocks, one batch write)
 * loop PEER NAME PEER-ADDRESS BYTES              loop I (every ~100 ms, I verified write+read rounds) until an
 *                                                error: loop error CODE message (then it goes on retrying)
 * stop                                           stopped I
 * unregister NAME / free NAME                    unregistered NAME / freed NAME
 * close                                          closed (exit 0)
 * </pre>
 * Every line it prints about the engine starts with a word the test waits for; {@code peerdown SESSION} is printed
 * whenever a peer goes down.
 */
public final class TransEngineMain {
    private static final Map<String, MemorySegment> BUFFERS = new HashMap<>();
    private static final Arena ARENA = Arena.ofShared();
    private static final AtomicBoolean LOOPING = new AtomicBoolean();
    private static volatile Thread loop;

    private TransEngineMain() {
    }

    public static void main(String[] args) throws Exception {
        RankProcess.exitWhenParentExits();
        TransferEngine engine = TransferEngine.open(args[0].equals("none") ? null : args[0], args[1],
                Role.parse(args[2]),
                TransferEngineOptions.builder().poolBytes(256L << 20).build());
        engine.onPeerDown(session -> System.out.println("peerdown " + session));
        System.out.println("open session=" + engine.sessionId() + " rank=" + engine.rank());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" ");
            try {
                if (!run(engine, w)) {
                    break;
                }
            } catch (MemFabricException e) {
                System.out.println("error " + e.code() + " " + e.getMessage().replace('\n', ' '));
            }
        }
        stopLoop();
        engine.close();
        System.out.println("closed");
    }

    private static boolean run(TransferEngine engine, String[] w) throws Exception {
        switch (w[0]) {
            case "register" -> {
                long bytes = Long.parseLong(w[2]);
                int skew = Integer.parseInt(w[3]);
                MemorySegment buffer = ARENA.allocate(bytes + skew, 64).asSlice(skew, bytes);
                BUFFERS.put(w[1], buffer);
                engine.registerMemory(buffer.address(), buffer.byteSize());
                System.out.println("registered " + w[1] + " address=" + Long.toHexString(buffer.address()));
            }
            case "allocate" -> {
                MemorySegment block = engine.allocate(Long.parseLong(w[2]));
                BUFFERS.put(w[1], block);
                System.out.println("allocated " + w[1] + " address=" + Long.toHexString(block.address()));
            }
            case "local" -> {
                BUFFERS.put(w[1], ARENA.allocate(Long.parseLong(w[2]), 64));
                System.out.println("local " + w[1]);
            }
            case "fill" -> {
                fill(BUFFERS.get(w[1]), Long.parseLong(w[2]));
                System.out.println("filled " + w[1]);
            }
            case "verify" -> {
                MemorySegment b = BUFFERS.get(w[1]).asSlice(Long.parseLong(w[2]), Long.parseLong(w[3]));
                long at = mismatch(b, Long.parseLong(w[4]));
                System.out.println(at < 0 ? "verified " + w[1] : "mismatch " + w[1] + " at=" + at);
            }
            case "write", "read" -> {
                MemorySegment local = BUFFERS.get(w[2]);
                long address = Long.parseUnsignedLong(w[3], 16);
                long bytes = Long.parseLong(w[4]);
                if (w[0].equals("write")) {
                    engine.write(w[1], local, address, bytes);
                } else {
                    engine.read(w[1], local, address, bytes);
                }
                System.out.println("ok " + w[0]);
            }
            case "writeasync" -> {
                TransferHandle handle = engine.writeAsync(w[1], BUFFERS.get(w[2]), Long.parseUnsignedLong(w[3], 16),
                        Long.parseLong(w[4]));
                handle.toCompletableFuture().join();
                System.out.println("ok writeasync");
            }
            case "kv" -> kv(engine, w[1], BUFFERS.get(w[2]), Long.parseUnsignedLong(w[3], 16), Integer.parseInt(w[4]));
            case "loop" -> startLoop(engine, w[1], BUFFERS.get(w[2]), Long.parseUnsignedLong(w[3], 16),
                    Long.parseLong(w[4]));
            case "stop" -> stopLoop();
            case "unregister" -> {
                engine.unregisterMemory(BUFFERS.get(w[1]));
                System.out.println("unregistered " + w[1]);
            }
            case "free" -> {
                engine.free(BUFFERS.get(w[1]));
                System.out.println("freed " + w[1]);
            }
            case "close" -> {
                return false;
            }
            default -> System.out.println("unknown command " + w[0]);
        }
        return true;
    }

    /** One batch of {@code layers} x (128 KiB + 16 KiB) blocks: Mooncake's KV layout (122 blocks for 61 layers). */
    private static void kv(TransferEngine engine, String peer, MemorySegment local, long peerAddress, int layers) {
        TransferBatch batch = new TransferBatch(2 * layers);
        long offset = 0;
        for (int layer = 0; layer < layers; layer++) {
            batch.add(local, offset, peerAddress + offset, 128 << 10);
            offset += 128 << 10;
            batch.add(local, offset, peerAddress + offset, 16 << 10);
            offset += 16 << 10;
        }
        int failed = engine.batchWrite(peer, batch);
        System.out.println("kv failed=" + failed + (failed > 0 ? " first=" + firstFailure(batch) : ""));
    }

    private static String firstFailure(TransferBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.failure(i) != null) {
                return batch.failure(i).replace('\n', ' ');
            }
        }
        return "-";
    }

    /**
     * Writes a fresh pattern to the peer, reads it back and compares, again and again; prints progress and every
     * error (with its code), and goes on after errors (the peer may come back).
     */
    private static void startLoop(TransferEngine engine, String peer, MemorySegment local, long address,
                                  long bytes) {
        LOOPING.set(true);
        MemorySegment back = ARENA.allocate(bytes, 64);
        loop = Thread.ofPlatform().name("trans-test-loop").start(() -> {
            long rounds = 0;
            long lastPrint = 0;
            while (LOOPING.get()) {
                long seed = rounds + 1;
                fill(local.asSlice(0, bytes), seed);
                try {
                    engine.write(peer, local, address, bytes);
                    engine.read(peer, back, address, bytes);
                    long at = mismatch(back, seed);
                    if (at >= 0) {
                        System.out.println("loop mismatch round=" + rounds + " at=" + at);
                        System.exit(3);
                    }
                    rounds++;
                } catch (MemFabricException e) {
                    System.out.println("loop error " + e.code() + " " + e.getMessage().replace('\n', ' '));
                    sleep(50);
                }
                if (System.nanoTime() - lastPrint > 100_000_000L) {
                    System.out.println("loop " + rounds);
                    lastPrint = System.nanoTime();
                }
            }
            System.out.println("stopped " + rounds);
        });
    }

    private static void stopLoop() throws InterruptedException {
        if (LOOPING.getAndSet(false) && loop != null) {
            loop.join();
        }
    }

    /** A pattern whose every prefix is the pattern of that length (so a slice can be checked against its seed). */
    static void fill(MemorySegment segment, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long i = 0;
        for (; i + 8 <= segment.byteSize(); i += 8) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), i,
                    random.nextLong());
        }
        long last = random.nextLong();
        for (int k = 0; i < segment.byteSize(); i++, k++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) (last >>> (8 * k)));
        }
    }

    static long mismatch(MemorySegment segment, long seed) {
        MemorySegment expected = Arena.ofAuto().allocate(segment.byteSize(), 8);
        fill(expected, seed);
        return segment.mismatch(expected);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
