package io.memfabric.store;

import io.memfabric.common.fault.FaultPoint;

/**
 * The store's fault-injection points (docs/fault-injection.md), on the paths that fail in real life. Each fails as the
 * real fault would: a failed send or receive breaks the connection with an {@code IOException} (the calls in flight
 * fail with {@code STORE_IO_ERROR}, the client reconnects), a failed connect is a refused attempt (retried with
 * backoff), a failed accept closes the new connection at once. A delay stalls the thread that passes the point: the
 * client's or the server's event loop, and with it every connection of that loop, as a long GC pause would.
 *
 * <p>Thread safety: the points are safe from any thread.
 */
public final class StoreFaultPoints {
    /** Every batch of commands a client writes to a connection (one check per flush, not per command). */
    public static final FaultPoint CLIENT_SEND = FaultPoint.of("store.client.send");
    /** Every reply or push a client receives. */
    public static final FaultPoint CLIENT_RECEIVE = FaultPoint.of("store.client.receive");
    /** Every attempt of a client to open a connection (main, push or blocking; first connect and reconnects). */
    public static final FaultPoint CLIENT_CONNECT = FaultPoint.of("store.client.connect");
    /** Every connection the server accepts, before it is admitted. */
    public static final FaultPoint SERVER_ACCEPT = FaultPoint.of("store.server.accept");

    private StoreFaultPoints() {
    }
}
