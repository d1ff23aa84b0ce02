package io.memfabric.memory;

import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The identity of this host: ranks with the same host id can map each other's shared memory. It is the kernel's
 * {@code /proc/sys/kernel/random/boot_id} (new at every boot, shared by all processes and containers of one kernel),
 * unless {@link MemoryConfig#HOST_ID_PROP} ({@code -Dmemfabric.host.id} or {@code MEMFABRIC_HOST_ID}) overrides
 * it — which lets tests put the ranks of one machine on "different hosts".
 *
 * <p>Thread safety: stateless; the setting is read at every call, so a test may change it between calls.
 */
public final class HostId {
    /** Where the default comes from. */
    public static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    /** What a host id may hold: it travels inside slot descriptors and store keys. */
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

    private HostId() {
    }

    /**
     * @return this host's id
     * @throws ConfigurationException when the override is not 1-128 of {@code [A-Za-z0-9_.:-]}
     * @throws UncheckedIOException   when there is no override and the boot id cannot be read
     */
    public static String current() {
        Config.Raw raw = Config.raw(MemoryConfig.HOST_ID_PROP);
        if (raw.value() != null) {
            if (!VALID.matcher(raw.value()).matches()) {
                throw new ConfigurationException(MemoryConfig.HOST_ID_PROP + "=" + raw.value() + " ("
                        + raw.source().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                        + "): not a host id (expected: 1-128 of [A-Za-z0-9_.:-])");
            }
            return raw.value();
        }
        return bootId();
    }

    /** @return the kernel's boot id, e.g. {@code 19d0d4bd-1602-4cbe-9510-56343f3700e5}. */
    public static String bootId() {
        try {
            return Files.readString(BOOT_ID, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BOOT_ID + " (set " + MemoryConfig.HOST_ID_PROP
                    + " or MEMFABRIC_HOST_ID instead)", e);
        }
    }

    /**
     * @param hostId a host id from a descriptor
     * @return whether it names a valid host id
     */
    public static boolean isValid(String hostId) {
        return hostId != null && VALID.matcher(hostId).matches();
    }
}
