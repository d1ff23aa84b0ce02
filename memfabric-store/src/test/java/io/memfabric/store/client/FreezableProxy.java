package io.memfabric.store.client;

import io.memfabric.store.StoreUrl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy between a client and a store server that can withhold the server's replies ({@link #freeze()}), so that
 * a test sees a server that received its commands and answers none: the case a client deadline and liveness check
 * exist for. Commands keep flowing to the server while frozen.
 *
 * <p>Thread safety: safe from any thread.
 */
final class FreezableProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean frozen;
    private int accepted;
    private volatile boolean closed;

    FreezableProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start(this::acceptLoop);
    }

    /** @return the URL clients connect to. */
    StoreUrl url() {
        return new StoreUrl("127.0.0.1", listener.getLocalPort(), false);
    }

    /** Withholds every reply from now on (commands still reach the server). */
    void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    /** Delivers the withheld replies and every later one. */
    void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    /** Waits until {@code count} connections were accepted in all. */
    void awaitAccepted(int count, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (gate) {
            while (accepted < count) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    throw new AssertionError("proxy accepted " + accepted + " connections, expected " + count);
                }
                gate.wait(leftMs);
            }
        }
    }

    /** @return the connections accepted so far. */
    int accepted() {
        synchronized (gate) {
            return accepted;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                start(() -> pump(client, server, false));
                start(() -> pump(server, client, true));
                synchronized (gate) {
                    accepted++;
                    gate.notifyAll();
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (replies) {
                    synchronized (gate) {
                        while (frozen && !closed) {
                            gate.wait();
                        }
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // connection closed: close both ends below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void start(Runnable body) {
        Thread thread = Thread.ofPlatform().daemon().name("test-proxy").start(body);
        threads.add(thread);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thaw();
        listener.close();
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        try {
            for (Thread thread : threads) {
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
