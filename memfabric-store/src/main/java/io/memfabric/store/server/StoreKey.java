package io.memfabric.store.server;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A binary-safe key (or channel name) as a map key: wraps the argument bytes the decoder produced, without copying,
 * and caches their hash. Cheaper than an ISO-8859-1 {@code String}, which would copy the bytes once more per command.
 *
 * <p>Thread safety: immutable once built; the wrapped array must not be modified (the decoder hands each command its
 * own arrays).
 */
final class StoreKey {
    private final byte[] bytes;
    private final int hash;

    StoreKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    static StoreKey of(String latin1) {
        return new StoreKey(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoreKey other && other.hash == hash && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** @return the key as ISO-8859-1 text: one char per byte, for messages. */
    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
