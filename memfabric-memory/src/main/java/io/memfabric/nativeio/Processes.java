package io.memfabric.nativeio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Process identity on this host: a pid alone is not an identity, because the kernel reuses pids. A process is
 * identified by its pid together with its start time ({@code /proc/<pid>/stat} field 22, in clock ticks since boot),
 * which a reused pid does not share.
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
public final class Processes {
    /** 1-based index of {@code starttime} in {@code /proc/<pid>/stat} (proc(5)). */
    private static final int STAT_FIELD_STARTTIME = 22;

    private Processes() {
    }

    /** @return this process's id, from {@code getpid(2)}. */
    public static int currentPid() {
        return Libc.getpid();
    }

    /** @return this process's start time in clock ticks since boot. */
    public static long currentStartTicks() {
        long ticks = startTicks(currentPid());
        if (ticks < 0) {
            throw new IllegalStateException("cannot read /proc/self/stat of pid " + currentPid());
        }
        return ticks;
    }

    /**
     * @param pid a process id
     * @return its start time in clock ticks since boot, or -1 when there is no such process (or it cannot be read)
     */
    public static long startTicks(long pid) {
        String stat = readStat(pid);
        return stat == null ? -1 : parseStartTicks(stat);
    }

    private static String readStat(long pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * @param stat the text of a {@code /proc/<pid>/stat} file
     * @return field 22, or -1 when the text is malformed
     */
    static long parseStartTicks(String stat) {
        String[] rest = fieldsAfterComm(stat);
        int index = STAT_FIELD_STARTTIME - 3; // rest[0] is field 3
        if (rest == null || rest.length <= index) {
            return -1;
        }
        try {
            return Long.parseLong(rest[index]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * @param stat the text of a {@code /proc/<pid>/stat} file
     * @return whether field 3 (state) says the process has exited: {@code Z} (zombie, not yet reaped by its parent)
     *         or {@code X} (dead). An exited process holds no mappings and no locks any more.
     */
    static boolean parseExited(String stat) {
        String[] rest = fieldsAfterComm(stat);
        return rest != null && rest.length > 0 && (rest[0].equals("Z") || rest[0].equals("X"));
    }

    private static String[] fieldsAfterComm(String stat) {
        // Field 2 is "(comm)", and comm may hold spaces and parentheses: count fields after its last ')'.
        int end = stat.lastIndexOf(')');
        return end < 0 ? null : stat.substring(end + 1).trim().split(" +");
    }

    /**
     * @param pid        a process id
     * @param startTicks the start time recorded when that process was seen alive
     * @return whether that same process is still running: a different process with a reused pid does not count, nor
     *         does a zombie (exited, not yet reaped)
     */
    public static boolean isAlive(long pid, long startTicks) {
        String stat = readStat(pid);
        return stat != null && parseStartTicks(stat) == startTicks && startTicks >= 0 && !parseExited(stat);
    }
}
