package io.memfabric.memory;

import io.memfabric.nativeio.CrossMemoryAttach;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the memory layer knows about this host, for {@code memfabric info} and the start-up log: the host id, the
 * shared-memory directory (its file system, free space, and whether it can back slots with huge pages), the device
 * providers and their verdicts, and whether cross-memory attach works and why (not).
 *
 * <p>Thread safety: immutable.
 *
 * @param hostId       this host's id ({@link HostId})
 * @param shmDir       the shared-memory directory ({@link MemoryConfig#SHM_DIR_PROP})
 * @param shmMount     the mount that holds it, e.g. {@code tmpfs /dev/shm rw,relatime,size=24684084k}, or why unknown
 * @param shmFreeBytes usable bytes left in it, or -1 when unknown
 * @param shmHugePages the tmpfs {@code huge=} option of that mount ({@code never} when absent)
 * @param devices      every device provider's verdict, highest priority first
 * @param cma          the cross-memory-attach probe
 */
public record MemoryInfo(String hostId, Path shmDir, String shmMount, long shmFreeBytes, String shmHugePages,
                         List<DeviceMemoryProvider.Availability> devices, CrossMemoryAttach.Probe cma) {
    private static final Path MOUNTS = Path.of("/proc/self/mounts");

    /** Checks the arguments and copies the list. */
    public MemoryInfo {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(shmDir, "shmDir");
        Objects.requireNonNull(shmMount, "shmMount");
        Objects.requireNonNull(shmHugePages, "shmHugePages");
        devices = List.copyOf(devices);
        Objects.requireNonNull(cma, "cma");
    }

    /** @return whether this process may use {@code process_vm_readv/writev} (the cma route). */
    public boolean cmaUsable() {
        return cma.usable();
    }

    /** @return why cma is or is not usable, for tools. */
    public String cmaReason() {
        return cma.reason();
    }

    /** @return the facts of this host, with settings from {@link MemoryConfig}; never throws for a missing fact. */
    public static MemoryInfo collect() {
        Path dir = MemoryConfig.shmDir();
        String[] mount = mountOf(dir);
        String options = mount == null ? "" : mount[3];
        String huge = "never";
        for (String option : options.split(",")) {
            if (option.startsWith("huge=")) {
                huge = option.substring("huge=".length());
            }
        }
        long free;
        try {
            FileStore store = Files.getFileStore(dir);
            free = store.getUsableSpace();
        } catch (IOException | SecurityException e) {
            free = -1;
        }
        String mountText = mount == null ? "unknown (no entry in " + MOUNTS + ")" : mount[2] + " " + mount[1] + " "
                + mount[3];
        return new MemoryInfo(HostId.current(), dir, mountText, free, huge, DeviceMemoryProvider.describeAll(),
                CrossMemoryAttach.probe());
    }

    /** @return {@code {device, mountPoint, type, options}} of the mount holding {@code dir}, or {@code null}. */
    private static String[] mountOf(Path dir) {
        Path real;
        List<String> lines;
        try {
            real = dir.toRealPath();
            lines = Files.readAllLines(MOUNTS, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            return null;
        }
        String[] best = null;
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length < 4) {
                continue;
            }
            Path mountPoint = Path.of(fields[1].replace("\\040", " "));
            // The last matching entry wins: later mounts hide earlier ones on the same point.
            if (real.startsWith(mountPoint)
                    && (best == null || mountPoint.getNameCount() >= Path.of(best[1]).getNameCount())) {
                best = fields;
            }
        }
        return best;
    }

    /** @return one line per fact, as {@code memfabric info} prints them. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("host id: " + hostId);
        lines.add("shared memory: " + shmDir + " on " + shmMount + "; "
                + (shmFreeBytes < 0 ? "free space unknown" : (shmFreeBytes >> 20) + " MiB free")
                + "; huge pages: " + shmHugePages
                + (shmHugePages.equals("never") ? " (slots use 4 KiB pages; mount with huge=within_size to speed up "
                + "slot creation)" : ""));
        for (DeviceMemoryProvider.Availability device : devices) {
            lines.add("device " + device.provider() + " (priority " + device.priority() + "): "
                    + (device.available() ? "available" : "unavailable") + " - " + device.reason());
        }
        lines.add("cma (process_vm_readv/writev): " + (cma.usable() ? "usable" : "unusable") + " - " + cma.reason());
        return lines;
    }
}
