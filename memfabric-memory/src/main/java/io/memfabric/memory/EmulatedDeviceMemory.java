package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The emulated device: DEVICE slots in host shared memory, made exactly as HOST slots are ({@link ShmSlot}, files named
 * {@code ...-device-...}). It lets every DEVICE code path (address windows, copy directions, transports) run on a
 * machine without an accelerator. It is reported as emulated by {@code memfabric info}, and logged once per process at
 * INFO when first used.
 *
 * <p>Thread safety: immutable; safe from any thread.
 */
public final class EmulatedDeviceMemory implements DeviceMemory {
    /** The name under which this implementation is reported and selected ({@code memfabric.device=emulated}). */
    public static final String NAME = "emulated";

    private static final Logger LOG = LoggerFactory.getLogger(EmulatedDeviceMemory.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private final ShmOptions options;

    /** @param options where and how the backing shared-memory files are made */
    public EmulatedDeviceMemory(ShmOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isEmulated() {
        return true;
    }

    @Override
    public boolean isHostAccessible() {
        return true;
    }

    @Override
    public MemoryRegion allocate(String fabricId, String objectId, int rank, long sizeBytes) {
        logOnce();
        return ShmSlot.create(fabricId, objectId, rank, MemoryType.DEVICE, sizeBytes, options);
    }

    @Override
    public MemoryRegion open(SlotDescriptor descriptor) {
        logOnce();
        if (descriptor.type() != MemoryType.DEVICE) {
            throw new ConfigurationException("descriptor type=" + descriptor.type()
                    + " (expected: DEVICE)");
        }
        return ShmSlot.open(descriptor, options);
    }

    private static void logOnce() {
        if (!LOGGED.get() && LOGGED.compareAndSet(false, true)) {
            LOG.info("DEVICE memory is emulated in host shared memory (no accelerator provider is in use): "
                    + "device transfers run at host-memory speed");
        }
    }

    @Override
    public String toString() {
        return "EmulatedDeviceMemory{" + options.directory() + "}";
    }
}
