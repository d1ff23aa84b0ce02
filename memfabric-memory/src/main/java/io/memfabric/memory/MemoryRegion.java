package io.memfabric.memory;

import java.lang.foreign.MemorySegment;

/**
 * A mapped piece of pool memory: this rank's own slot (the owner) or a peer's slot mapped on the same host. Closing it
 * releases it: an owner frees the memory (its peers' mappings stay valid until they close theirs), a mapper only
 * unmaps.
 *
 * <p>Thread safety: {@link #segment()} may be used from any thread while the region is open. {@link #close()} must
 * not race with accesses to the segment: the layer above drains in-flight copies first (closing under a concurrent
 * access fails, see {@link java.lang.foreign.Arena#close()}).
 */
public interface MemoryRegion extends AutoCloseable {
    /**
     * @return the memory, {@link #descriptor()}{@code .sizeBytes()} long; for a non-emulated device it may not be
     *         accessible from the CPU (see {@link DeviceMemory})
     * @throws io.memfabric.error.MemFabricException {@code NOT_INITIALIZED} after {@link #close()}
     */
    MemorySegment segment();

    /** @return what a peer needs to map this memory; for a mapped peer slot, the peer's descriptor. */
    SlotDescriptor descriptor();

    /** @return whether this process created the memory (and frees it on close), rather than mapped a peer's. */
    boolean isOwner();

    /** @return whether {@link #close()} has been called. */
    boolean isClosed();

    /** Releases the memory or the mapping; idempotent. */
    @Override
    void close();
}
