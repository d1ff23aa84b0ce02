package io.memfabric.cli;

import io.memfabric.store.protocol.RespLimits;
import io.netty.channel.epoll.Epoll;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code memfabric info}: what this machine and JDK offer memfabric, and the limits in force.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Prints the JDK, host identity, native I/O and store limits memfabric uses here.")
final class InfoCommand implements Callable<Integer> {
    /** Ranks with equal host ids may map each other's memory (DESIGN §1). */
    static final String HOST_ID_ENV = "MEMFABRIC_HOST_ID";
    static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Runtime runtime = Runtime.getRuntime();
        row(out, "jdk", Runtime.version() + " (" + System.getProperty("java.vendor") + ") at "
                + System.getProperty("java.home"));
        row(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        row(out, "cpus", String.valueOf(runtime.availableProcessors()));
        row(out, "max heap", (runtime.maxMemory() >> 20) + " MiB");
        row(out, "pid", String.valueOf(ManagementFactory.getRuntimeMXBean().getPid()));
        row(out, "host id", hostId());
        row(out, "store i/o", Epoll.isAvailable() ? "epoll (native)"
                : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")");
        row(out, "store max key", RespLimits.DEFAULT_MAX_KEY_BYTES + " B");
        row(out, "store max value", (RespLimits.DEFAULT_MAX_VALUE_BYTES >> 20) + " MiB");
        row(out, "store max args", String.valueOf(RespLimits.DEFAULT_MAX_ARGUMENTS));
        return 0;
    }

    private static String hostId() {
        String fromEnv = System.getenv(HOST_ID_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim() + " (from " + HOST_ID_ENV + ")";
        }
        try {
            return Files.readString(BOOT_ID).trim() + " (from " + BOOT_ID + ")";
        } catch (IOException e) {
            return "unknown (" + BOOT_ID + " unreadable: " + e.getMessage() + "; set " + HOST_ID_ENV + ")";
        }
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf("%-16s %s%n", name, value);
    }
}
