package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.ProtocolException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.SlotDescriptor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rank publishes so that its peers can reach its pooled memory by any route: its host (for shm and cma), its
 * process (cma), its tcp data listener, its slots, and (optionally) the shared table of its registered regions, which
 * same-host peers map to check and pin a region before they copy into it by cma. The layer above passes it around as
 * text or bytes (the store at the BM layer, stdout lines in tests); the transports never see the store (DESIGN §2).
 *
 * <p>Text form, fields separated by one space (no field may hold a space):
 * <pre>
 *   mfpeer1 &lt;rank&gt; &lt;hostId&gt; &lt;pid&gt; &lt;dataAddress&gt; &lt;slotCount&gt;
 *           { &lt;slotAddressHex&gt; &lt;slotDescriptor&gt; } [ regions &lt;regionTableSlotDescriptor&gt; ]
 *   mfpeer1 3 19d0d4bd-... 41234 127.0.0.1:40123 1 7f3a00000000
 *           mfslot1|shm|memfabric-...|1073741824|host|3|41234|19d0...
 * </pre>
 *
 * <p>Thread safety: immutable.
 *
 * @param rank          the rank, 0..{@link AddressSpace#MAX_WORLD_SIZE} - 1
 * @param hostId        its {@link HostId}: peers with an equal id may map its slots (shm) or use cma
 * @param pid           its process id (cma), 1..{@link Integer#MAX_VALUE}
 * @param dataAddress   {@code ip:port} of its tcp data listener; IPv6 as {@code [addr]:port}
 * @param slots         its HOST and/or DEVICE slots, at most one of each type, all of this rank, host and pid
 * @param slotAddresses for each slot (same order), its address in the owner's process, for cma; 0 when not offered
 * @param regionTable   the shared-memory file of its {@code RegionTable}, or {@code null} when it offers none (peers
 *                      then reach its registered memory through its listener only)
 */
public record PeerDescriptor(int rank, String hostId, long pid, String dataAddress, List<SlotDescriptor> slots,
                             List<Long> slotAddresses, SlotDescriptor regionTable) {
    /** Format tag and version, the first field of the text form. */
    public static final String FORMAT = "mfpeer1";
    /** Longest accepted text form, in characters: two slot descriptors of at most ~420 characters each fit easily. */
    public static final int MAX_TEXT_CHARS = 4096;
    private static final Pattern DATA_ADDRESS = Pattern.compile(
            "(\\[[0-9A-Fa-f:.]{2,45}]|[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)"
                    + ":([0-9]{1,5})");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,16}");
    private static final String REGIONS = "regions";

    /** Checks every value; throws {@link ConfigurationException} naming the bad one. */
    public PeerDescriptor {
        if (rank < 0 || rank >= AddressSpace.MAX_WORLD_SIZE) {
            throw new ConfigurationException("rank=" + rank + " (expected: 0.." + (AddressSpace.MAX_WORLD_SIZE - 1)
                    + ")");
        }
        if (!HostId.isValid(hostId)) {
            throw new ConfigurationException("hostId=" + hostId + " (expected: 1-128 of [A-Za-z0-9_.:-])");
        }
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new ConfigurationException("pid=" + pid + " (expected: 1.." + Integer.MAX_VALUE + ")");
        }
        matchDataAddress(dataAddress, 1);
        Objects.requireNonNull(slots, "slots");
        Objects.requireNonNull(slotAddresses, "slotAddresses");
        slots = List.copyOf(slots);
        slotAddresses = List.copyOf(slotAddresses);
        if (slotAddresses.size() != slots.size()) {
            throw new ConfigurationException("slotAddresses of size " + slotAddresses.size() + " (expected: one per "
                    + "slot, " + slots.size() + ")");
        }
        boolean[] seen = new boolean[MemoryType.values().length];
        for (SlotDescriptor slot : slots) {
            if (slot.rank() != rank || slot.pid() != pid || !slot.hostId().equals(hostId)) {
                throw new ConfigurationException("slot " + slot.encode() + " is not of rank " + rank + ", pid " + pid
                        + " on host " + hostId);
            }
            if (seen[slot.type().ordinal()]) {
                throw new ConfigurationException("two " + slot.type() + " slots for rank " + rank
                        + " (expected: at most one per type)");
            }
            seen[slot.type().ordinal()] = true;
        }
        if (regionTable != null && (regionTable.pid() != pid || !regionTable.hostId().equals(hostId)
                || !SlotDescriptor.SHM_BACKING.equals(regionTable.backing()))) {
            throw new ConfigurationException("region table " + regionTable.encode() + " is not a shared-memory file of "
                    + "pid " + pid + " on host " + hostId);
        }
    }

    /** A descriptor without a region table. */
    public PeerDescriptor(int rank, String hostId, long pid, String dataAddress, List<SlotDescriptor> slots,
                          List<Long> slotAddresses) {
        this(rank, hostId, pid, dataAddress, slots, slotAddresses, null);
    }

    /** A descriptor that offers no slot addresses (no cma to its slots). */
    public PeerDescriptor(int rank, String hostId, long pid, String dataAddress, List<SlotDescriptor> slots) {
        this(rank, hostId, pid, dataAddress, slots, Collections.nCopies(slots.size(), 0L), null);
    }

    /**
     * @param type a memory type
     * @return this rank's slot of that type, or {@code null}
     */
    public SlotDescriptor slot(MemoryType type) {
        for (SlotDescriptor slot : slots) {
            if (slot.type() == type) {
                return slot;
            }
        }
        return null;
    }

    /**
     * @param type a memory type
     * @return the address of that slot in the owner's process, or 0 when unknown or there is no such slot
     */
    public long slotAddress(MemoryType type) {
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).type() == type) {
                return slotAddresses.get(i);
            }
        }
        return 0;
    }

    /** @return the data listener's address, unresolved if it is a host name. */
    public InetSocketAddress dataSocketAddress() {
        return parseDataAddress(dataAddress);
    }

    /**
     * @param address an {@code ip:port}, {@code [ipv6]:port} or {@code hostname:port}
     * @return the socket address (a host name is resolved)
     * @throws ConfigurationException when it is not of that form or the port is not in 1..65535
     */
    public static InetSocketAddress parseDataAddress(String address) {
        return parseSocketAddress(address, 1);
    }

    /** As {@link #parseDataAddress}, but port 0 (any free port) is allowed: for listen addresses. */
    static InetSocketAddress parseListenAddress(String address) {
        return parseSocketAddress(address, 0);
    }

    private static InetSocketAddress parseSocketAddress(String address, int minPort) {
        Matcher m = matchDataAddress(address, minPort);
        String host = m.group(1);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(m.group(2)));
    }

    /** Checks the form without resolving anything (decoding never touches DNS). */
    private static Matcher matchDataAddress(String address, int minPort) {
        Matcher m = address == null ? null : DATA_ADDRESS.matcher(address);
        if (m == null || !m.matches()) {
            throw new ConfigurationException("dataAddress=" + address + " (expected: ip:port or [ipv6]:port)");
        }
        int port = Integer.parseInt(m.group(2));
        if (port < minPort || port > 65535) {
            throw new ConfigurationException("dataAddress=" + address + ": port " + port + " (expected: " + minPort
                    + "..65535)");
        }
        return m;
    }

    /**
     * @param bound the address a data listener is bound to
     * @return the {@code ip:port} peers should connect to: the bound address, or this host's address when the listener
     *         binds a wildcard address
     * @throws ConfigurationException when the listener binds a wildcard address and this host's name does not resolve
     */
    public static String publishedDataAddress(InetSocketAddress bound) {
        if (bound.getAddress().isAnyLocalAddress()) {
            try {
                return formatDataAddress(new InetSocketAddress(InetAddress.getLocalHost(), bound.getPort()));
            } catch (UnknownHostException e) {
                throw new ConfigurationException("the data listener binds a wildcard address and this host's name "
                        + "does not resolve: bind a specific address (" + CopyEngineOptions.DATA_LISTEN_PROP + ")");
            }
        }
        return formatDataAddress(bound);
    }

    /**
     * @param address a bound socket address
     * @return its {@code ip:port} text ({@code [ipv6]:port} for IPv6)
     */
    public static String formatDataAddress(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** @return the text form (see the class comment). */
    public String encode() {
        StringBuilder text = new StringBuilder(256).append(FORMAT).append(' ').append(rank).append(' ').append(hostId)
                .append(' ').append(pid).append(' ').append(dataAddress).append(' ').append(slots.size());
        for (int i = 0; i < slots.size(); i++) {
            text.append(' ').append(Long.toHexString(slotAddresses.get(i))).append(' ').append(slots.get(i).encode());
        }
        if (regionTable != null) {
            text.append(' ').append(REGIONS).append(' ').append(regionTable.encode());
        }
        return text.toString();
    }

    /** @return the text form in US-ASCII bytes. */
    public byte[] toBytes() {
        return encode().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param bytes the output of {@link #toBytes()}
     * @return the descriptor
     * @throws ProtocolException when the bytes are not a descriptor
     */
    public static PeerDescriptor fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > MAX_TEXT_CHARS) {
            throw new ProtocolException("peer descriptor of " + bytes.length + " bytes (expected: <= "
                    + MAX_TEXT_CHARS + ")");
        }
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                throw new ProtocolException("peer descriptor holds a byte that is not printable ASCII: " + (b & 0xff));
            }
        }
        return decode(new String(bytes, StandardCharsets.US_ASCII));
    }

    /**
     * @param text the output of {@link #encode()}
     * @return the descriptor
     * @throws ProtocolException when the text is not a descriptor, naming what is wrong
     */
    public static PeerDescriptor decode(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() > MAX_TEXT_CHARS) {
            throw new ProtocolException("peer descriptor of " + text.length() + " characters (expected: <= "
                    + MAX_TEXT_CHARS + ")");
        }
        String[] fields = text.split(" ", -1);
        if (fields.length < 6 || !FORMAT.equals(fields[0])) {
            throw malformed(text, "expected: " + FORMAT + " rank hostId pid dataAddress slotCount {address slot}");
        }
        int slotCount = parseInt(text, "slotCount", fields[5]);
        int slotEnd = 6 + 2 * slotCount;
        boolean hasTable = slotCount >= 0 && fields.length == slotEnd + 2 && REGIONS.equals(fields[slotEnd]);
        if (slotCount < 0 || slotCount > MemoryType.values().length || (fields.length != slotEnd && !hasTable)) {
            throw malformed(text, "slotCount=" + fields[5] + " with " + (fields.length - 6)
                    + " slot fields (expected: 0..2 slots, two fields each, then optionally regions <table>)");
        }
        List<SlotDescriptor> slots = new ArrayList<>(slotCount);
        List<Long> addresses = new ArrayList<>(slotCount);
        for (int i = 0; i < slotCount; i++) {
            String hex = fields[6 + 2 * i];
            if (!HEX.matcher(hex).matches()) {
                throw malformed(text, "slot address=" + hex + " (expected: 1-16 lower-case hex digits)");
            }
            addresses.add(Long.parseUnsignedLong(hex, 16));
            slots.add(SlotDescriptor.decode(fields[7 + 2 * i]));
        }
        try {
            SlotDescriptor table = hasTable ? SlotDescriptor.decode(fields[slotEnd + 1]) : null;
            return new PeerDescriptor(parseInt(text, "rank", fields[1]), fields[2], parseLong(text, "pid", fields[3]),
                    fields[4], slots, addresses, table);
        } catch (ConfigurationException e) {
            throw malformed(text, e.getMessage());
        } catch (MemFabricException e) {
            throw e;
        } catch (RuntimeException e) {
            throw malformed(text, e.toString());
        }
    }

    private static int parseInt(String text, String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw malformed(text, name + "=" + value + " (expected: a decimal integer)");
        }
    }

    private static long parseLong(String text, String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw malformed(text, name + "=" + value + " (expected: a decimal integer)");
        }
    }

    private static ProtocolException malformed(String text, String what) {
        String shown = text.length() <= 200 ? text : text.substring(0, 200) + "...";
        return new ProtocolException("peer descriptor '" + shown + "': " + what);
    }
}
