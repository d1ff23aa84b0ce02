package io.memfabric.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free TCP ports on the loopback interface, for tests that must name a port before the listener starts (a child JVM
 * told where its store will be). Prefer binding port 0 and reading the port back where the code allows it: a port
 * found here may be taken by someone else before it is used.
 *
 * <p>Thread safety: stateless.
 */
public final class FreePorts {
    private FreePorts() {
    }

    /** @return a port that was free on 127.0.0.1 a moment ago, above 1024 (the store URL rule). */
    public static int next() {
        return next(1).get(0);
    }

    /**
     * @param count how many distinct ports
     * @return ports that were free on 127.0.0.1 a moment ago, all held open together so they are distinct
     */
    public static List<Integer> next(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            while (ports.size() < count) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                socket.setReuseAddress(true);
                sockets.add(socket);
                if (socket.getLocalPort() > 1024) {
                    ports.add(socket.getLocalPort());
                }
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing a listener that never accepted: nothing to report.
                }
            }
        }
    }
}
