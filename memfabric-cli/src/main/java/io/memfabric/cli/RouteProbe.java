package io.memfabric.cli;

import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.copy.Route;
import io.memfabric.error.MemFabricException;
import io.memfabric.memory.MemoryInfo;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmOptions;
import io.memfabric.memory.ShmSlot;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Tries each route on this machine the way a rank would use it, for {@code memfabric info}: shm creates a small slot
 * and maps it a second time, cma reads this process's own memory with {@code process_vm_readv} (the memory layer's
 * probe), tcp binds the data listener's address and connects to it. Each verdict says why, and a route that the
 * settings turn off says which setting.
 *
 * <p>Thread safety: stateless.
 */
final class RouteProbe {
    /** Bytes of the probe slot: one page. */
    private static final long PROBE_SLOT_BYTES = 4096;

    private RouteProbe() {
    }

    /**
     * A route's verdict.
     *
     * @param route  the route
     * @param usable whether ranks of this machine can use it
     * @param reason why (not), in words
     */
    record Verdict(Route route, boolean usable, String reason) {
        /** @return {@code usable - <reason>} or {@code unusable - <reason>}. */
        String describe() {
            return (usable ? "usable" : "unusable") + " - " + reason;
        }
    }

    /** @return the verdict of every route, in the default order of preference (shm, cma, tcp). */
    static List<Verdict> probeAll(CopyEngineOptions options, MemoryInfo memory) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Route route : Route.values()) {
            Verdict verdict = switch (route) {
                case SHM -> shm(memory);
                case CMA -> new Verdict(route, memory.cmaUsable(), memory.cmaReason());
                case TCP -> tcp(options);
            };
            if (!options.routes().contains(route)) {
                verdict = new Verdict(route, false, "turned off by " + CopyEngineOptions.ROUTES_PROP + "="
                        + String.join(",", options.routes().stream().map(Route::wireName).toList()) + " (it would be "
                        + verdict.describe() + ")");
            } else if (options.forceRoute() != null && options.forceRoute() != route) {
                verdict = new Verdict(route, verdict.usable(), verdict.reason() + "; not used while "
                        + CopyEngineOptions.FORCE_ROUTE_PROP + "=" + options.forceRoute().wireName());
            }
            verdicts.add(verdict);
        }
        return verdicts;
    }

    private static Verdict shm(MemoryInfo memory) {
        try (ShmSlot owner = ShmSlot.create("info", "probe", 0, MemoryType.HOST, PROBE_SLOT_BYTES,
                ShmOptions.fromConfig());
             ShmSlot mapped = ShmSlot.open(owner.descriptor())) {
            mapped.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            return new Verdict(Route.SHM, owner.segment().get(ValueLayout.JAVA_BYTE, 0) == 1,
                    "created a " + Sizes.format(PROBE_SLOT_BYTES) + " slot in " + memory.shmDir()
                    + " and mapped it again: same-host ranks map each other's slots (one copy)");
        } catch (MemFabricException e) {
            return new Verdict(Route.SHM, false, "cannot create and map a slot in " + memory.shmDir() + ": "
                    + e.getMessage());
        }
    }

    private static Verdict tcp(CopyEngineOptions options) {
        InetSocketAddress listen = options.dataListen();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(listen);
            try (Socket client = new Socket(server.getInetAddress().isAnyLocalAddress() ? null
                    : server.getInetAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                boolean loopback = server.getInetAddress().isLoopbackAddress();
                return new Verdict(Route.TCP, client.isConnected() && accepted.isConnected(), "a data listener on "
                        + server.getInetAddress().getHostAddress() + " (" + CopyEngineOptions.DATA_LISTEN_PROP + "="
                        + listen.getHostString() + ":" + listen.getPort() + ") accepted a connection"
                        + (loopback ? "; it binds a loopback address, so only ranks of this host reach it (set "
                        + CopyEngineOptions.DATA_LISTEN_PROP + " to a routable address for other hosts)"
                        : "; ranks of other hosts reach it there"));
            }
        } catch (IOException | SecurityException e) {
            return new Verdict(Route.TCP, false, "cannot listen on " + listen + " and connect to it ("
                    + CopyEngineOptions.DATA_LISTEN_PROP + "): " + e.getMessage());
        }
    }
}
