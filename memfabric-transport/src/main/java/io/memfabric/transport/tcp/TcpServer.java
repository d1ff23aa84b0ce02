package io.memfabric.transport.tcp;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.CloseOnce;
import io.memfabric.transport.RegisteredRegions;
import io.memfabric.transport.Space;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * This rank's data listener: an acceptor thread, and one thread per accepted connection
 * ({@link TcpListenerChannel}), so that a large transfer on one connection never delays another and a third-party
 * PUSH may block its own connection only. A rank has a few connections per peer that talks to it over tcp.
 *
 * <p>Thread safety: {@link #close()} from any thread, once; the rest is read by connection threads.
 */
final class TcpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpServer.class);

    private final int rank;
    private final MemorySegment[] slots;
    private final RegisteredRegions registered;
    private final PushHandler pushHandler;
    private final TcpOptions options;
    private final ServerSocketChannel listener;
    private final InetSocketAddress localAddress;
    private final Map<TcpListenerChannel, Thread> connections = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private final CloseOnce closed = new CloseOnce();
    /** What DESCRIBE answers, or null; set by the owner once it knows. */
    private volatile byte[] description;
    /** Connections accepted so far; names the connection threads. Acceptor thread only. */
    private int accepted;

    TcpServer(int rank, InetSocketAddress bind, MemorySegment[] slots, RegisteredRegions registered,
              PushHandler pushHandler, TcpOptions options) throws IOException {
        this.rank = rank;
        this.slots = slots.clone();
        this.registered = registered;
        this.pushHandler = pushHandler;
        this.options = options;
        this.listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(bind, 128);
            this.localAddress = (InetSocketAddress) listener.getLocalAddress();
            this.acceptor = options.newThread("data-accept", this::acceptLoop);
            acceptor.start();
        } catch (IOException | RuntimeException e) {
            CloseHelper.quietClose(listener);
            throw e;
        }
    }

    int rank() {
        return rank;
    }

    MemorySegment slot(Space space) {
        return slots[space.ordinal()];
    }

    RegisteredRegions registered() {
        return registered;
    }

    PushHandler pushHandler() {
        return pushHandler;
    }

    byte[] description() {
        return description;
    }

    void describeAs(byte[] bytes) {
        this.description = bytes;
    }

    InetSocketAddress localAddress() {
        return localAddress;
    }

    private void acceptLoop() {
        while (!closed.isClosed()) {
            SocketChannel socket;
            try {
                socket = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed.isClosed()) {
                    LOG.warn("rank {}: data listener accept failed", rank, e);
                }
                continue;
            }
            try {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                FramedChannel channel = new FramedChannel(socket, TcpOptions.SERVER_RECEIVE_BYTES,
                        TcpOptions.SEND_BYTES, options.spinNs());
                TcpListenerChannel connection = new TcpListenerChannel(this, channel, options.peerTimeoutNs());
                Thread thread = options.newThread("data-" + (++accepted), connection);
                connections.put(connection, thread);
                if (closed.isClosed()) {
                    connections.remove(connection);
                    channel.close();
                    return;
                }
                thread.start();
            } catch (IOException | RuntimeException e) {
                LOG.warn("rank {}: cannot serve an accepted data connection", rank, e);
                CloseHelper.quietClose(socket);
            }
        }
    }

    void connectionEnded(TcpListenerChannel connection) {
        connections.remove(connection);
    }

    /** @return how many connections are being served (for tests and {@code memfabric info}). */
    int connectionCount() {
        return connections.size();
    }

    /** Stops accepting, closes every connection and joins every thread. Idempotent. */
    @Override
    public void close() {
        if (!closed.begin()) {
            return;
        }
        CloseHelper.quietClose(listener);
        List<Thread> threads = new ArrayList<>();
        threads.add(acceptor);
        for (Map.Entry<TcpListenerChannel, Thread> e : connections.entrySet()) {
            e.getKey().shutdown();
            threads.add(e.getValue());
        }
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                try {
                    thread.join(options.peerTimeoutNs() / 1_000_000 + 1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
