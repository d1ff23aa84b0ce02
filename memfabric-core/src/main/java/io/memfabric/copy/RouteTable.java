package io.memfabric.copy;

/**
 * The one place that picks a route to a peer and says why (after Mooncake's {@code selectTransport}).
 * Work in progress.
 */
public final class RouteTable {
    private RouteTable() {
    }
}
