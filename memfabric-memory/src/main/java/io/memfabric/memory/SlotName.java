package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import io.memfabric.nativeio.Processes;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a slot's shared-memory file: {@code memfabric-<fabric>-<object>-r<rank>-<type>-p<pid>-t<startTicks>},
 * e.g. {@code memfabric-demo-bm7-r3-host-p41234-t889123}. The owner is named by pid and start time (clock ticks since
 * boot) together, because pids are reused; {@link StaleSlotCleaner} reads only the {@code -p<pid>-t<ticks>} suffix, so
 * it keeps working if the fields before it change.
 *
 * <p>Fabric and object ids are 1-64 of {@code [A-Za-z0-9_.]}: no {@code /} (the name is one path element), and no
 * {@code -} (the fields stay unambiguous).
 *
 * <p>Thread safety: immutable.
 *
 * @param fabricId   the fabric's id
 * @param objectId   the pool object's id within the fabric (e.g. a BigMemory id)
 * @param rank       the owner's rank, 0..{@link AddressSpace#MAX_WORLD_SIZE} - 1
 * @param type       the memory type
 * @param pid        the owner's process id
 * @param startTicks the owner's start time, from {@link Processes#startTicks}
 */
record SlotName(String fabricId, String objectId, int rank, MemoryType type, long pid, long startTicks) {
    /** Every memfabric shared-memory file starts with this. */
    static final String PREFIX = "memfabric-";
    private static final String TOKEN = "[A-Za-z0-9_.]{1,64}";
    private static final Pattern TOKEN_PATTERN = Pattern.compile(TOKEN);
    private static final Pattern FULL = Pattern.compile(
            "memfabric-(" + TOKEN + ")-(" + TOKEN + ")-r([0-9]{1,4})-(host|device)-p([0-9]{1,10})-t([0-9]{1,19})");
    private static final Pattern OWNER = Pattern.compile("memfabric-.+-p([0-9]{1,10})-t([0-9]{1,19})");

    SlotName {
        requireToken("fabricId", fabricId);
        requireToken("objectId", objectId);
        Objects.requireNonNull(type, "type");
        if (rank < 0 || rank >= AddressSpace.MAX_WORLD_SIZE) {
            throw new ConfigurationException("rank=" + rank + " (expected: 0.." + (AddressSpace.MAX_WORLD_SIZE - 1)
                    + ")");
        }
        if (pid <= 0 || pid > Integer.MAX_VALUE || startTicks < 0) {
            throw new ConfigurationException("pid=" + pid + " startTicks=" + startTicks
                    + " (expected: a live process's pid and start time)");
        }
    }

    /** @return the name of a slot owned by this process. */
    static SlotName forCurrentProcess(String fabricId, String objectId, int rank, MemoryType type) {
        return new SlotName(fabricId, objectId, rank, type, Processes.currentPid(), Processes.currentStartTicks());
    }

    /**
     * @param fileName a file name
     * @return the parsed name, or {@code null} when it is not a slot name of this format
     */
    static SlotName parse(String fileName) {
        Matcher m = FULL.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        try {
            return new SlotName(m.group(1), m.group(2), Integer.parseInt(m.group(3)), MemoryType.ofToken(m.group(4)),
                    Long.parseLong(m.group(5)), Long.parseLong(m.group(6)));
        } catch (ConfigurationException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * @param fileName a file name
     * @return {@code {pid, startTicks}} of the owner of any memfabric slot file (of this format or a later one with the
     *         same suffix), or {@code null} when the name has no owner suffix
     */
    static long[] owner(String fileName) {
        Matcher m = OWNER.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return the file name. */
    String fileName() {
        return PREFIX + fabricId + "-" + objectId + "-r" + rank + "-" + type.token() + "-p" + pid + "-t" + startTicks;
    }

    @Override
    public String toString() {
        return fileName();
    }

    private static void requireToken(String name, String value) {
        if (value == null || !TOKEN_PATTERN.matcher(value).matches()) {
            throw new ConfigurationException(name + "=" + value + " (expected: 1-64 of [A-Za-z0-9_.])");
        }
    }
}
