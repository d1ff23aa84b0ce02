package io.memfabric.transport.tcp;

import io.memfabric.error.ConfigurationException;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Settings of a {@link TcpTransport}, filled by the copy layer from its options.
 *
 * <p>Thread safety: immutable.
 *
 * @param connectionsPerPeer tcp connections to each peer, opened on first use
 * @param peerTimeoutNs      how long a peer may stay silent (connect, a reply, progress mid-frame) before it is lost
 * @param spinNs             how long a waiter retries I/O before it parks in a selector
 * @param maxParkNs          the longest single park of a copy waiting for a free connection of a peer (it parks
 *                           1 µs, then twice as long each time, up to this)
 * @param threadFactory      makes the listener's threads
 * @param threadNamePrefix   prefix of their names, e.g. {@code memfabric-r3-}; the role follows
 */
public record TcpOptions(int connectionsPerPeer, long peerTimeoutNs, long spinNs, long maxParkNs,
                         ThreadFactory threadFactory, String threadNamePrefix) {
    /** A server connection's receive buffer: a request header and a small payload. */
    static final int SERVER_RECEIVE_BYTES = RequestFlyweight.LENGTH + TcpProtocol.SMALL_PAYLOAD_BYTES;
    /** A client connection's receive buffer: room for many pipelined small replies. */
    static final int CLIENT_RECEIVE_BYTES = 64 << 10;
    /** Either side's send buffer: a request header and a small payload (the larger of the two headers). */
    static final int SEND_BYTES = RequestFlyweight.LENGTH + TcpProtocol.SMALL_PAYLOAD_BYTES;

    /** Checks the values. */
    public TcpOptions {
        if (connectionsPerPeer < 1 || peerTimeoutNs <= 0 || spinNs < 0 || maxParkNs < 1_000) {
            throw new ConfigurationException("connectionsPerPeer=" + connectionsPerPeer + " peerTimeoutNs="
                    + peerTimeoutNs + " spinNs=" + spinNs + " maxParkNs=" + maxParkNs
                    + " (expected: >= 1, > 0, >= 0, >= 1000)");
        }
        Objects.requireNonNull(threadFactory, "threadFactory");
        Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
    }

    Thread newThread(String role, Runnable body) {
        Thread thread = threadFactory.newThread(body);
        thread.setName(threadNamePrefix + role);
        thread.setDaemon(true);
        return thread;
    }
}
