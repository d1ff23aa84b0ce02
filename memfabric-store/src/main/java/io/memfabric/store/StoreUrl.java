package io.memfabric.store;

import io.memfabric.error.ConfigurationException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The address of a config store: {@code tcp://<ipv4>:<port>} or {@code tcp://[<ipv6>]:<port>} (upstream §7.1).
 * IPv4 must be a dotted quad and not all zeros; the port is 1025..65535. Host names are not accepted, as upstream.
 *
 * <p>Thread safety: immutable.
 *
 * @param host the literal IP address, without brackets
 * @param port the TCP port
 * @param ipv6 whether {@link #host} is an IPv6 literal
 */
public record StoreUrl(String host, int port, boolean ipv6) {
    /** The only scheme. */
    public static final String SCHEME = "tcp://";
    /** The lowest port accepted (upstream: port &gt; 1024). */
    public static final int MIN_PORT = 1025;
    /** The highest port accepted. */
    public static final int MAX_PORT = 65535;

    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    /** Validates the components. */
    public StoreUrl {
        Objects.requireNonNull(host, "host");
        if (port < MIN_PORT || port > MAX_PORT) {
            throw new ConfigurationException("store url port=" + port + " (expected: " + MIN_PORT + ".." + MAX_PORT
                    + ")");
        }
    }

    /**
     * Parses a store URL.
     *
     * @param url e.g. {@code tcp://127.0.0.1:7000} or {@code tcp://[::1]:7000}
     * @return the parsed URL
     * @throws ConfigurationException naming the URL and what is wrong with it
     */
    public static StoreUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new ConfigurationException("store url='" + url + "' (expected: tcp://<ipv4>:<port> or "
                    + "tcp://[<ipv6>]:<port>)");
        }
        if (!url.startsWith(SCHEME)) {
            throw new ConfigurationException("store url='" + url + "': unsupported scheme (expected: tcp://)");
        }
        return parseAddress(url, url.substring(SCHEME.length()));
    }

    /**
     * Parses an address without the scheme, as TRANS session ids are written: {@code 127.0.0.1:5321} or
     * {@code [::1]:5321}.
     *
     * @param hostPort the address
     * @return the parsed address
     * @throws ConfigurationException naming the address and what is wrong with it
     */
    public static StoreUrl parseHostPort(String hostPort) {
        if (hostPort == null || hostPort.isBlank()) {
            throw new ConfigurationException("address='" + hostPort + "' (expected: <ipv4>:<port> or [<ipv6>]:<port>)");
        }
        return parseAddress(hostPort, hostPort);
    }

    private static StoreUrl parseAddress(String original, String rest) {
        String host;
        String portText;
        boolean v6;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new ConfigurationException("store url='" + original + "': expected [<ipv6>]:<port>");
            }
            host = rest.substring(1, close);
            portText = rest.substring(close + 2);
            v6 = true;
            if (host.isEmpty() || !host.contains(":") || !host.matches("[0-9a-fA-F:.%a-zA-Z]+")) {
                throw new ConfigurationException("store url='" + original + "': '" + host + "' is not an IPv6 address");
            }
            try {
                InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new ConfigurationException("store url='" + original + "': '" + host
                        + "' is not an IPv6 address");
            }
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigurationException("store url='" + original + "': missing port (expected: <ip>:<port>)");
            }
            host = rest.substring(0, colon);
            portText = rest.substring(colon + 1);
            v6 = false;
            Matcher m = IPV4.matcher(host);
            if (!m.matches()) {
                throw new ConfigurationException("store url='" + original + "': '" + host
                        + "' is not an IPv4 address (expected: a.b.c.d; IPv6 goes in brackets)");
            }
            boolean allZero = true;
            for (int i = 1; i <= 4; i++) {
                int octet = Integer.parseInt(m.group(i));
                if (octet > 255) {
                    throw new ConfigurationException("store url='" + original + "': octet " + octet
                            + " (expected: 0..255)");
                }
                allZero &= octet == 0;
            }
            if (allZero) {
                throw new ConfigurationException("store url='" + original
                        + "': 0.0.0.0 is not an address to connect to");
            }
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new ConfigurationException("store url='" + original + "': port '" + portText
                    + "' is not a number (expected: " + MIN_PORT + ".." + MAX_PORT + ")");
        }
        if (port < MIN_PORT || port > MAX_PORT) {
            throw new ConfigurationException("store url='" + original + "': port=" + port + " (expected: " + MIN_PORT
                    + ".." + MAX_PORT + ")");
        }
        return new StoreUrl(host, port, v6);
    }

    /** @return an unresolved-free socket address (the host is an IP literal, so no lookup happens). */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    /** @return {@code ip:port} or {@code [ipv6]:port}. */
    public String hostPort() {
        return (ipv6 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return SCHEME + hostPort();
    }
}
