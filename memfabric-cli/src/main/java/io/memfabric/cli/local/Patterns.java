package io.memfabric.cli.local;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Deterministic test data for the demo and the benchmarks: every 8-byte word depends on a seed and its index, so that
 * any rank can regenerate what another wrote and count the wrong bytes.
 */
public final class Patterns {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private Patterns() {
    }

    /** Fills {@code segment} with the pattern of {@code seed}. */
    public static void fill(MemorySegment segment, long seed) {
        long words = segment.byteSize() / Long.BYTES;
        for (long i = 0; i < words; i++) {
            segment.set(WORD, i * Long.BYTES, word(seed, i));
        }
        for (long b = words * Long.BYTES; b < segment.byteSize(); b++) {
            segment.set(ValueLayout.JAVA_BYTE, b, (byte) word(seed, b));
        }
    }

    /** @return how many bytes of {@code segment} differ from the pattern of {@code seed}. */
    public static long wrongBytes(MemorySegment segment, long seed) {
        long wrong = 0;
        long words = segment.byteSize() / Long.BYTES;
        for (long i = 0; i < words; i++) {
            long diff = segment.get(WORD, i * Long.BYTES) ^ word(seed, i);
            if (diff != 0) {
                for (int k = 0; k < Long.BYTES; k++) {
                    if (((diff >>> (8 * k)) & 0xff) != 0) {
                        wrong++;
                    }
                }
            }
        }
        for (long b = words * Long.BYTES; b < segment.byteSize(); b++) {
            if (segment.get(ValueLayout.JAVA_BYTE, b) != (byte) word(seed, b)) {
                wrong++;
            }
        }
        return wrong;
    }

    /** A splitmix64 step of {@code seed + index}: cheap, and no two nearby words alike. */
    private static long word(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
