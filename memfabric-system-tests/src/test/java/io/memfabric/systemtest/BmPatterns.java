package io.memfabric.systemtest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * Data of BigMemory system tests: deterministic patterns (so a rank can check what another rank wrote without being
 * told) and checksums.
 */
final class BmPatterns {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BmPatterns() {
    }

    /** Fills {@code segment} with the pattern of {@code seed} (xorshift, 8 bytes at a time). */
    static MemorySegment fill(MemorySegment segment, long seed) {
        long x = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        long n = segment.byteSize();
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            x = next(x);
            segment.set(WORD, i, x);
        }
        x = next(x);
        for (; i < n; i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) x);
            x >>>= 8;
        }
        return segment;
    }

    private static long next(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    /** @return the CRC32C of the segment's bytes. */
    static long crc(MemorySegment segment) {
        CRC32C crc = new CRC32C();
        crc.update(segment.asByteBuffer());
        return crc.getValue();
    }

    /** @return the MD5 of the segment's bytes, hex (upstream's all-path test compares MD5s). */
    static String md5(MemorySegment segment) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(segment.asByteBuffer());
            return HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Throws naming {@code what} and the first differing byte when the two segments differ. */
    static void check(String what, MemorySegment expected, MemorySegment actual) {
        long mismatch = expected.mismatch(actual);
        if (mismatch >= 0) {
            throw new IllegalStateException(what + ": bytes differ at offset " + mismatch + " of " + expected.byteSize()
                    + " (crc expected " + Long.toHexString(crc(expected)) + ", got "
                    + Long.toHexString(crc(actual.asSlice(0, Math.min(actual.byteSize(), expected.byteSize()))))
                    + ")");
        }
    }
}
