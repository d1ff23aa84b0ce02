package io.memfabric.cli;

import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.memory.MemoryInfo;
import io.memfabric.store.protocol.RespLimits;
import io.netty.channel.epoll.Epoll;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;

/**
 * {@code memfabric info}: what this machine and JDK offer memfabric, and the limits in force: every route (shm, cma,
 * tcp) tried as a rank would use it, with why it is usable or not ({@link RouteProbe}).
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Prints the JDK, host identity, shared memory, device tier, every route (shm, cma, tcp) with why "
                + "it is usable or not, and the limits.")
final class InfoCommand implements Callable<Integer> {
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
        MemoryInfo memory = MemoryInfo.collect();
        for (String line : memory.lines()) {
            // The cma verdict is printed with the other routes below.
            if (!line.startsWith("cma ")) {
                int colon = line.indexOf(": ");
                row(out, line.substring(0, colon), line.substring(colon + 2));
            }
        }
        CopyEngineOptions copy = CopyEngineOptions.fromConfig();
        row(out, "route order", String.join(", ", copy.routes().stream().map(r -> r.wireName()).toList())
                + " (the first usable one per peer; " + CopyEngineOptions.ROUTES_PROP + ")");
        for (RouteProbe.Verdict verdict : RouteProbe.probeAll(copy, memory)) {
            row(out, "route " + verdict.route().wireName(), verdict.describe());
        }
        row(out, "store i/o", Epoll.isAvailable() ? "epoll (native)"
                : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")");
        row(out, "store max key", RespLimits.DEFAULT_MAX_KEY_BYTES + " B");
        row(out, "store max value", (RespLimits.DEFAULT_MAX_VALUE_BYTES >> 20) + " MiB");
        row(out, "store max args", String.valueOf(RespLimits.DEFAULT_MAX_ARGUMENTS));
        return 0;
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf("%-18s %s%n", name, value);
    }
}
