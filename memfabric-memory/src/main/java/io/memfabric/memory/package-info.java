/**
 * The memory layer: the global address space ({@link io.memfabric.memory.AddressSpace}), pool slots in shared-memory
 * files ({@link io.memfabric.memory.ShmSlot}, {@link io.memfabric.memory.SlotDescriptor}), their cleanup after crashes
 * ({@link io.memfabric.memory.StaleSlotCleaner}), device memory ({@link io.memfabric.memory.DeviceMemory}, emulated
 * today) and host identity ({@link io.memfabric.memory.HostId}).
 *
 * <p>Depends on {@code io.memfabric.nativeio}, {@code io.memfabric.common}, {@code io.memfabric.config} and
 * {@code io.memfabric.error} only. It never sees the store: peers' descriptors reach it as plain records from the
 * layer above (DESIGN §2).
 */
package io.memfabric.memory;
