package io.memfabric.nativeio;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** Deterministic byte patterns for tests that move bytes between mappings and processes. */
public final class Patterns {
    private Patterns() {
    }

    /** @return byte {@code i} of pattern {@code seed}; no period shorter than 256 KiB. */
    public static byte at(int seed, long i) {
        return (byte) (seed * 131 + i * 7 + (i >>> 8) * 13 + (i >>> 16) * 17);
    }

    /** Fills {@code segment} with pattern {@code seed}. */
    public static void fill(MemorySegment segment, int seed) {
        for (long i = 0; i < segment.byteSize(); i++) {
            segment.set(JAVA_BYTE, i, at(seed, i));
        }
    }

    /** @return the first index where {@code segment} differs from pattern {@code seed}, or -1. */
    public static long firstMismatch(MemorySegment segment, int seed) {
        for (long i = 0; i < segment.byteSize(); i++) {
            if (segment.get(JAVA_BYTE, i) != at(seed, i)) {
                return i;
            }
        }
        return -1;
    }
}
