package io.memfabric.trans;

import io.memfabric.error.ConfigurationException;
import io.memfabric.store.StoreUrl;

import java.net.InetSocketAddress;

/**
 * A {@link TransferEngine}'s name: {@code ip:port} or {@code [ipv6]:port} (upstream §7.1 rules: a dotted-quad IPv4
 * that is not all zeros, or a bracketed IPv6 literal; port 1025..65535; no host names). It is also where the engine's
 * data listener listens, so the name alone is enough to reach an engine (the store-less mode depends on it).
 *
 * <p>Thread safety: immutable.
 *
 * @param text the canonical form, {@code ip:port} or {@code [ipv6]:port}
 * @param host the IP literal, without brackets
 * @param port the port
 */
public record SessionId(String text, String host, int port) {
    /**
     * @param text a session id
     * @return the parsed id
     * @throws ConfigurationException naming the text and what is wrong with it
     */
    public static SessionId parse(String text) {
        StoreUrl address;
        try {
            address = StoreUrl.parseHostPort(text);
        } catch (ConfigurationException e) {
            throw new ConfigurationException("sessionId='" + text + "' is not a session id (expected: <ipv4>:<port> or "
                    + "[<ipv6>]:<port>, port " + StoreUrl.MIN_PORT + ".." + StoreUrl.MAX_PORT + "): " + e.getMessage());
        }
        return new SessionId(address.hostPort(), address.host(), address.port());
    }

    /** @return the address the engine's data listener binds and peers connect to. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return text;
    }
}
