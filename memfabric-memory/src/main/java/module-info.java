/**
 * The memory layer: the global address space, pool slots in shared-memory files, the emulated device tier, the
 * shared region table, and the native calls (FFM) beneath them. The native bindings are exported to the transports
 * only; the layers above see their results.
 */
module io.memfabric.memory {
    requires transitive io.memfabric.common;
    requires org.slf4j;

    exports io.memfabric.memory;
    exports io.memfabric.nativeio to io.memfabric.transport;

    uses io.memfabric.memory.DeviceMemoryProvider;
    provides io.memfabric.memory.DeviceMemoryProvider with io.memfabric.memory.EmulatedDeviceMemoryProvider;
}
