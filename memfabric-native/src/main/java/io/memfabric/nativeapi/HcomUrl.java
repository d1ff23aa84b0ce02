package io.memfabric.nativeapi;

import io.memfabric.error.ConfigurationException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upstream's {@code hcomUrl} ({@code smem_bm_config_t}): the network interface of the host transport, as
 * {@code tcp://a.b.c.d:port} or {@code tcp://a.b.c.d/mask:port} (the local address inside that subnet). Here it picks
 * the address this rank's tcp data listener binds; the port is not used, since several ranks of one host may give the
 * same URL (upstream's examples do) and peers learn each listener's port from its record in the store.
 *
 * <p>Thread safety: stateless.
 */
final class HcomUrl {
    private static final Pattern FORM = Pattern.compile("tcp://(\\d{1,3}(?:\\.\\d{1,3}){3})(?:/(\\d{1,2}))?:(\\d+)");

    private HcomUrl() {
    }

    /**
     * @param url upstream's hcomUrl; empty for "not set"
     * @return the address to listen on, or {@code null} when unset
     * @throws ConfigurationException naming the URL when it is malformed or no local address is inside its subnet
     */
    static InetAddress listenAddress(String url) {
        if (url == null || url.isEmpty()) {
            return null;
        }
        Matcher m = FORM.matcher(url);
        if (!m.matches() || Integer.parseInt(m.group(3)) < 1024 || Integer.parseInt(m.group(3)) > 65535) {
            throw new ConfigurationException("hcomUrl=" + url + " (expected: tcp://a.b.c.d:port or "
                    + "tcp://a.b.c.d/mask:port, port 1024..65535)");
        }
        try {
            InetAddress address = InetAddress.getByName(m.group(1));
            if (m.group(2) == null) {
                return address;
            }
            int maskBits = Integer.parseInt(m.group(2));
            InetAddress loopback = null;
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InterfaceAddress candidate : nic.getInterfaceAddresses()) {
                    InetAddress local = candidate.getAddress();
                    if (local instanceof Inet4Address && sameSubnet(local, address, maskBits)) {
                        if (!local.isLoopbackAddress()) {
                            return local;
                        }
                        loopback = local;
                    }
                }
            }
            if (loopback != null) {
                return loopback;
            }
        } catch (UnknownHostException | SocketException | NumberFormatException e) {
            throw new ConfigurationException("hcomUrl=" + url + ": " + e.getMessage());
        }
        throw new ConfigurationException("hcomUrl=" + url + ": no address of this host is in that subnet");
    }

    private static boolean sameSubnet(InetAddress a, InetAddress b, int maskBits) {
        if (maskBits > 32) {
            return false;
        }
        int mask = maskBits == 0 ? 0 : -1 << (32 - maskBits);
        return (toInt(a) & mask) == (toInt(b) & mask);
    }

    private static int toInt(InetAddress address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }
}
