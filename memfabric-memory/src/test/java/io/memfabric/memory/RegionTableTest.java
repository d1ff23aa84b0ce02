package io.memfabric.memory;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RegionTableTest {
    private static MemorySegment memory(Arena arena, int capacity) {
        return arena.allocate(RegionTable.bytesFor(capacity), 64);
    }

    @Test
    void aReaderShouldFindAndPinExactlyTheRangesInsideActiveRegions() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment shared = memory(arena, 4);
            RegionTable owner = RegionTable.format(shared, 4);
            RegionTable reader = RegionTable.attach(shared);
            assertEquals(4, reader.capacity());
            long before = reader.changes();
            owner.register(0x10000, 4096);
            owner.register(0x20000, 100);
            assertTrue(reader.changes() > before);
            long token = reader.find(0x10000 + 4000, 96);
            assertTrue(token >= 0);
            assertEquals(0x10000, reader.address(token));
            assertTrue(reader.pin(token));
            assertEquals(1, owner.users((int) token));
            reader.unpin(token);
            assertEquals(RegionTable.NOT_FOUND, reader.find(0x10000 + 4000, 97), "one byte past the end");
            assertEquals(RegionTable.NOT_FOUND, reader.find(0xFFFF, 2), "straddles the start");
            assertEquals(RegionTable.NOT_FOUND, reader.find(0x30000, 1), "outside every region");
            assertTrue(reader.find(0x20000 + 99, 1) >= 0);
            assertEquals(RegionTable.NOT_FOUND, reader.find(Long.MAX_VALUE, Long.MAX_VALUE), "no overflow");
        }
    }

    @Test
    void aPinAfterRetireOrReuseShouldFail() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment shared = memory(arena, 1);
            RegionTable owner = RegionTable.format(shared, 1);
            RegionTable reader = RegionTable.attach(shared);
            int entry = owner.register(0x10000, 4096);
            long stale = reader.find(0x10000, 8);
            assertEquals(0, owner.retire(entry));
            assertFalse(reader.pin(stale), "retired");
            owner.free(entry);
            assertEquals(RegionTable.NOT_FOUND, reader.find(0x10000, 8));
            owner.register(0x10000, 4096); // the same entry again, with the next generation
            assertFalse(reader.pin(stale), "a token of the previous generation");
            long fresh = reader.find(0x10000, 8);
            assertTrue(reader.pin(fresh));
            reader.unpin(fresh);
            assertEquals(0, owner.users(entry), "a failed pin takes its increment back");
            MemFabricException full = assertThrows(MemFabricException.class, () -> owner.register(0x90000, 1));
            assertEquals(ErrorCode.RESOURCE_IN_USE, full.code());
        }
    }

    @Test
    void anEntryWhosePinIsNeverReleasedShouldBeAbandonedNotReused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment shared = memory(arena, 1);
            RegionTable owner = RegionTable.format(shared, 1);
            int entry = owner.register(0x10000, 4096);
            long token = RegionTable.attach(shared).find(0x10000, 1);
            assertTrue(RegionTable.attach(shared).pin(token)); // a pinner that dies holding it
            assertEquals(1, owner.retire(entry));
            owner.abandon(entry);
            assertThrows(MemFabricException.class, () -> owner.register(0x20000, 1));
        }
    }

    @Test
    void noPinShouldSucceedOnceRetireHasSeenNoUsers() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = memory(arena, 2);
            RegionTable owner = RegionTable.format(shared, 2);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lateSuccesses = new AtomicLong();
            AtomicLong pins = new AtomicLong();
            // retired[0] is set by the owner right after retire() read zero users; a pin that succeeds after that,
            // of the generation that was retired, would be a pin the owner did not wait for.
            long[] retiredToken = {-1};
            CountDownLatch started = new CountDownLatch(2);
            Runnable pinner = () -> {
                RegionTable reader = RegionTable.attach(shared);
                started.countDown();
                while (!stop.get()) {
                    long token = reader.find(0x10000, 8);
                    if (token < 0) {
                        continue;
                    }
                    if (reader.pin(token)) {
                        pins.incrementAndGet();
                        long retired;
                        synchronized (retiredToken) {
                            retired = retiredToken[0];
                        }
                        if (retired == token) {
                            lateSuccesses.incrementAndGet();
                        }
                        reader.unpin(token);
                    }
                }
            };
            Thread a = new Thread(pinner);
            Thread b = new Thread(pinner);
            a.start();
            b.start();
            started.await();
            for (int round = 0; round < 2000; round++) {
                int entry = owner.register(0x10000, 4096);
                long token = RegionTable.attach(shared).find(0x10000, 8);
                // Let the pinners at the active region for a moment (until one pinned, at most ~1 ms).
                long pinned = pins.get();
                long until = System.nanoTime() + 1_000_000;
                while (pins.get() == pinned && System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
                while (owner.retire(entry) != 0) {
                    Thread.onSpinWait();
                }
                synchronized (retiredToken) {
                    retiredToken[0] = token;
                }
                owner.free(entry);
            }
            stop.set(true);
            a.join();
            b.join();
            assertEquals(0, lateSuccesses.get(), "pins that succeeded after the owner saw no users");
            assertTrue(pins.get() > 0, "the pinners pinned at all");
        }
    }
}
