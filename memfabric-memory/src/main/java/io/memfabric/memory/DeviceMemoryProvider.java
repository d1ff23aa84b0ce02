package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * A source of {@link DeviceMemory}, found with {@link ServiceLoader}: a jar that lists its provider in
 * {@code META-INF/services/io.memfabric.memory.DeviceMemoryProvider} adds a device (e.g. CUDA) without any change to
 * the layers above. {@link #select()} picks one: the provider named by {@link MemoryConfig#DEVICE_PROP}, or with
 * {@code auto} the available provider of highest {@link #priority()}. The emulated device (priority 0) is always
 * available, so {@code auto} always finds one.
 *
 * <p>Thread safety: implementations are safe from any thread.
 */
public interface DeviceMemoryProvider {
    /** @return the provider's name, unique among providers, e.g. {@code emulated} or {@code cuda}. */
    String name();

    /** @return higher wins under {@code auto}; the emulated device is 0, real accelerators are above it. */
    int priority();

    /**
     * Checks, without side effects that outlive the call, whether this provider can work on this machine (driver
     * present, a device visible).
     *
     * @return the verdict and its reason, for {@code memfabric info}
     */
    Availability availability();

    /**
     * @return a device memory; called only when {@link #availability()} said available
     */
    DeviceMemory create();

    /**
     * A provider's verdict.
     *
     * @param provider  the provider's name
     * @param priority  its priority
     * @param available whether it can be used here
     * @param reason    one line: what was found, or what is missing
     */
    record Availability(String provider, int priority, boolean available, String reason) {
        /** Checks the arguments. */
        public Availability {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * @return every provider on the class path, highest priority first; the emulated one is always among them
     */
    static List<DeviceMemoryProvider> providers() {
        List<DeviceMemoryProvider> found = new ArrayList<>();
        boolean emulated = false;
        for (DeviceMemoryProvider provider
                : ServiceLoader.load(DeviceMemoryProvider.class, DeviceMemoryProvider.class.getClassLoader())) {
            found.add(provider);
            emulated |= EmulatedDeviceMemory.NAME.equals(provider.name());
        }
        if (!emulated) {
            // A repackaged jar may have lost the services file; the emulated device must never go missing.
            found.add(new EmulatedDeviceMemoryProvider());
        }
        found.sort(Comparator.comparingInt(DeviceMemoryProvider::priority).reversed());
        return found;
    }

    /** @return the verdict of every provider, highest priority first, for {@code memfabric info}. */
    static List<Availability> describeAll() {
        return providers().stream().map(DeviceMemoryProvider::availability).toList();
    }

    /**
     * @return the device memory that {@link MemoryConfig#DEVICE_PROP} selects
     * @see #select(String)
     */
    static DeviceMemory select() {
        return select(MemoryConfig.device());
    }

    /**
     * @param choice {@code auto}, or the name of a provider
     * @return the device memory of the chosen provider
     * @throws ConfigurationException when no provider has that name, or it is not available here, naming the choices
     */
    static DeviceMemory select(String choice) {
        Objects.requireNonNull(choice, "choice");
        List<DeviceMemoryProvider> providers = providers();
        List<String> verdicts = new ArrayList<>();
        for (DeviceMemoryProvider provider : providers) {
            if (!choice.equals("auto") && !choice.equals(provider.name())) {
                continue;
            }
            Availability availability = provider.availability();
            if (availability.available()) {
                DeviceMemory device = provider.create();
                Logger log = LoggerFactory.getLogger(DeviceMemoryProvider.class);
                if (device.isEmulated()) {
                    // EmulatedDeviceMemory says so at INFO, once, when it is first used.
                    log.debug("DEVICE memory: {} ({})", device.name(), availability.reason());
                } else {
                    log.info("DEVICE memory: {} ({})", device.name(), availability.reason());
                }
                return device;
            }
            verdicts.add(provider.name() + ": " + availability.reason());
        }
        throw new ConfigurationException(MemoryConfig.DEVICE_PROP + "=" + choice + ": "
                + (verdicts.isEmpty() ? "no such provider" : "not available (" + String.join("; ", verdicts) + ")")
                + " (expected: auto or one of " + providers.stream().map(DeviceMemoryProvider::name).toList() + ")");
    }
}
