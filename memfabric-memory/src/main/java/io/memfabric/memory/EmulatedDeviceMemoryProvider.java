package io.memfabric.memory;

/**
 * Provides {@link EmulatedDeviceMemory}: always available, priority 0, so any real accelerator wins under
 * {@code auto}. Registered in {@code META-INF/services/io.memfabric.memory.DeviceMemoryProvider}.
 *
 * <p>Thread safety: stateless.
 */
public final class EmulatedDeviceMemoryProvider implements DeviceMemoryProvider {
    /** For {@link java.util.ServiceLoader}. */
    public EmulatedDeviceMemoryProvider() {
    }

    @Override
    public String name() {
        return EmulatedDeviceMemory.NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return new Availability(name(), priority(), true,
                "host shared memory standing in for a device: device figures are host-memory figures");
    }

    @Override
    public DeviceMemory create() {
        return new EmulatedDeviceMemory(ShmOptions.fromConfig());
    }
}
