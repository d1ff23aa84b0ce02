package io.memfabric.memory;

/**
 * The two kinds of pool memory. Each has its own window of the global address space ({@link AddressSpace}) and its
 * own per-rank stride.
 *
 * <p>Thread safety: immutable.
 */
public enum MemoryType {
    /** Accelerator memory; emulated in host shared memory where no accelerator provider is present. */
    DEVICE("device"),
    /** Host DRAM, in shared-memory files. */
    HOST("host");

    private final String token;

    MemoryType(String token) {
        this.token = token;
    }

    /** @return the lower-case word used in shared-memory file names and descriptors: {@code host} or {@code device}. */
    public String token() {
        return token;
    }

    /**
     * @param token {@code host} or {@code device}
     * @return the type, or {@code null} for any other text
     */
    public static MemoryType ofToken(String token) {
        for (MemoryType type : values()) {
            if (type.token.equals(token)) {
                return type;
            }
        }
        return null;
    }
}
