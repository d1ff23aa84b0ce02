package io.memfabric.copy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/** Seeded byte patterns and checksums of segments, shared by test JVMs and child ranks. */
final class Patterns {
    private static final long CHUNK = 1 << 20;

    private Patterns() {
    }

    /** Fills a segment with bytes that depend on the seed and the position. */
    static void fill(MemorySegment segment, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long size = segment.byteSize();
        long i = 0;
        for (; i + 8 <= size; i += 8) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
        for (; i < size; i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
    }

    /** @return a segment of {@code length} pattern bytes. */
    static MemorySegment pattern(long length, long seed) {
        MemorySegment segment = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, length), 64);
        fill(segment, seed);
        return segment;
    }

    /** @return the CRC32C of a segment. */
    static long crc(MemorySegment segment) {
        CRC32C crc = new CRC32C();
        for (long off = 0; off < segment.byteSize(); off += CHUNK) {
            crc.update(segment.asSlice(off, Math.min(CHUNK, segment.byteSize() - off)).asByteBuffer());
        }
        return crc.getValue();
    }
}
