package io.memfabric.systemtest;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Payloads derived from (round, rank) alone, so every rank (and the test) can compute what every other rank sent, and
 * the digest each rank prints of a round's result.
 */
final class GroupPayloads {
    /** Sizes from empty to 64 KiB; each round uses them all across 8 ranks. */
    private static final int[] SIZES = {0, 1, 7, 100, 1000, 4096, 16 * 1024, 64 * 1024};

    private GroupPayloads() {
    }

    static byte[] payload(String tag, int round, int rank) {
        byte[] data = new byte[SIZES[Math.floorMod(round * 3 + rank + tag.hashCode(), SIZES.length)]];
        long x = 0x9E3779B97F4A7C15L * (round + 1) ^ (rank + 1L) * 0xC2B2AE3D27D4EB4FL ^ tag.hashCode();
        for (int i = 0; i < data.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            data[i] = (byte) x;
        }
        return data;
    }

    /** @return a short digest of an ordered list of (rank, payload). */
    static String digest(int[] ranks, List<byte[]> payloads) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < ranks.length; i++) {
                sha.update(ByteBuffer.allocate(8).putInt(ranks[i]).putInt(payloads.get(i).length).array());
                sha.update(payloads.get(i));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the digest of the result every rank of {@code ranks} should get for ({@code tag}, {@code round}). */
    static String expected(String tag, int round, int[] ranks) {
        List<byte[]> payloads = new java.util.ArrayList<>();
        for (int r : ranks) {
            payloads.add(payload(tag, round, r));
        }
        return digest(ranks, payloads);
    }
}
