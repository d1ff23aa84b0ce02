package io.memfabric.memory;

/**
 * Accelerator ("device") memory for DEVICE slots. One implementation exists today, {@link EmulatedDeviceMemory}
 * (host shared memory standing in for a device). Another, e.g. CUDA ({@code cudaMalloc} with
 * {@code cudaIpcGetMemHandle} / {@code cudaIpcOpenMemHandle}), is added as a {@link DeviceMemoryProvider} in its own
 * jar, without changes to the layers above: they only see {@link MemoryRegion}s and {@link SlotDescriptor}s, and the
 * descriptor's {@link SlotDescriptor#backing() backing} tells which implementation can open it.
 *
 * <p>For a non-emulated device, {@link MemoryRegion#segment()} holds device addresses that the CPU may not be able to
 * dereference; the copy layer asks {@link #isHostAccessible()} before it uses {@code MemorySegment.copy}.
 *
 * <p>Thread safety: implementations are safe from any thread.
 */
public interface DeviceMemory {
    /** @return the implementation's name, as {@code memfabric info} and the logs show it, e.g. {@code emulated}. */
    String name();

    /**
     * @return whether this is not a real accelerator but host memory standing in for one; {@code memfabric info} and
     *         the logs say so, because device figures are then host-memory figures
     */
    boolean isEmulated();

    /** @return whether the CPU can load and store through the segments of this device's regions. */
    boolean isHostAccessible();

    /**
     * Allocates this rank's DEVICE slot: memory that same-host peers can map through its descriptor.
     *
     * @param fabricId  the fabric's id, 1-64 of {@code [A-Za-z0-9_.]}
     * @param objectId  the pool object's id, 1-64 of {@code [A-Za-z0-9_.]}
     * @param rank      this process's rank
     * @param sizeBytes bytes, at least 1
     * @return the region; the caller owns it, and closing it frees the memory
     * @throws io.memfabric.error.MemFabricException when the memory cannot be allocated, naming why
     */
    MemoryRegion allocate(String fabricId, String objectId, int rank, long sizeBytes);

    /**
     * Maps a same-host peer's DEVICE slot.
     *
     * @param descriptor the peer's descriptor, of a backing this implementation knows
     * @return the mapping; the caller closes it, which only unmaps
     * @throws io.memfabric.error.MemFabricException when it cannot be mapped, naming why
     */
    MemoryRegion open(SlotDescriptor descriptor);
}
