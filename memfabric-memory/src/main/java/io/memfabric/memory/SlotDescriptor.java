package io.memfabric.memory;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ProtocolException;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a peer needs to map a slot: how it is backed, its name, its size and whose it is. Ranks publish their
 * descriptors through the store (the memory layer never sees the store, DESIGN §2) as {@link #encode() text} or
 * {@link #toBytes() bytes}, e.g. {@code mfslot1|shm|memfabric-demo-bm7-r3-host-p41234-t889123|1073741824|host|3|41234|
 * 19d0d4bd-1602-4cbe-9510-56343f3700e5}.
 *
 * <p>Thread safety: immutable.
 *
 * @param backing   how the memory is shared: {@link #SHM_BACKING} for a shared-memory file; another
 *                  {@link DeviceMemory} may define its own (e.g. an IPC handle), 1-32 of {@code [a-z0-9_.-]}
 * @param name      the backing's name for the memory: for {@code shm}, the file name in the shared-memory directory;
 *                  1-255 printable ASCII characters without {@code |} or spaces
 * @param sizeBytes the size of the backed part of the slot ({@code localSize}), at least 1
 * @param type      the memory type
 * @param rank      the owner's rank, 0..{@link AddressSpace#MAX_WORLD_SIZE} - 1
 * @param pid       the owner's process id (for cma, and for diagnostics)
 * @param hostId    the owner's {@link HostId}: a peer maps the slot only when its own host id is equal
 */
public record SlotDescriptor(String backing, String name, long sizeBytes, MemoryType type, int rank, long pid,
                             String hostId) {
    /** The {@link #backing()} of slots in shared-memory files, populated when they are made and mapped. */
    public static final String SHM_BACKING = "shm";
    /**
     * The {@link #backing()} of sparse shared-memory files whose pages exist only where the owner allocated them (a
     * pool, {@link ShmPool}): mappers must not populate them, or they would allocate the whole file.
     */
    public static final String SHM_LAZY_BACKING = "shm-lazy";
    /** Format tag and version, the first field of the text form. */
    static final String FORMAT = "mfslot1";
    private static final char SEPARATOR = '|';
    private static final int FIELDS = 8;
    private static final Pattern BACKING = Pattern.compile("[a-z0-9_.-]{1,32}");
    private static final Pattern NAME = Pattern.compile("[!-{}~]{1,255}"); // printable ASCII except '|' and space

    /** Checks the values; throws {@link ConfigurationException} naming the bad one. */
    public SlotDescriptor {
        if (backing == null || !BACKING.matcher(backing).matches()) {
            throw new ConfigurationException("backing=" + backing + " (expected: 1-32 of [a-z0-9_.-])");
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigurationException("name=" + name + " (expected: 1-255 printable ASCII, no '|' or space)");
        }
        if (sizeBytes <= 0) {
            throw new ConfigurationException("sizeBytes=" + sizeBytes + " (expected: > 0)");
        }
        Objects.requireNonNull(type, "type");
        if (rank < 0 || rank >= AddressSpace.MAX_WORLD_SIZE) {
            throw new ConfigurationException("rank=" + rank + " (expected: 0.." + (AddressSpace.MAX_WORLD_SIZE - 1)
                    + ")");
        }
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new ConfigurationException("pid=" + pid + " (expected: 1.." + Integer.MAX_VALUE + ")");
        }
        if (!HostId.isValid(hostId)) {
            throw new ConfigurationException("hostId=" + hostId + " (expected: 1-128 of [A-Za-z0-9_.:-])");
        }
    }

    /** @return whether the slot is a shared-memory file (populated or lazy) that a same-host peer may map. */
    public boolean isSharedMemory() {
        return SHM_BACKING.equals(backing) || SHM_LAZY_BACKING.equals(backing);
    }

    /** @return whether a mapper should populate the slot's page tables when it maps it. */
    public boolean populateOnMap() {
        return SHM_BACKING.equals(backing);
    }

    /** @return the text form, {@code mfslot1|backing|name|sizeBytes|type|rank|pid|hostId}. */
    public String encode() {
        return FORMAT + SEPARATOR + backing + SEPARATOR + name + SEPARATOR + sizeBytes + SEPARATOR + type.token()
                + SEPARATOR + rank + SEPARATOR + pid + SEPARATOR + hostId;
    }

    /** @return the text form in US-ASCII bytes. */
    public byte[] toBytes() {
        return encode().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param bytes the output of {@link #toBytes()}, e.g. read from the store
     * @return the descriptor
     * @throws ProtocolException when the bytes are not a descriptor
     */
    public static SlotDescriptor fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                throw new ProtocolException("slot descriptor of " + bytes.length
                        + " bytes holds a byte that is not printable ASCII: " + (b & 0xff));
            }
        }
        return decode(new String(bytes, StandardCharsets.US_ASCII));
    }

    /**
     * @param text the output of {@link #encode()}
     * @return the descriptor
     * @throws ProtocolException when the text is not a descriptor, naming what is wrong
     */
    public static SlotDescriptor decode(String text) {
        Objects.requireNonNull(text, "text");
        String[] fields = text.split(Pattern.quote(String.valueOf(SEPARATOR)), -1);
        if (fields.length != FIELDS || !FORMAT.equals(fields[0])) {
            throw new ProtocolException("not a slot descriptor: '" + abbreviate(text) + "' (expected: " + FORMAT
                    + "|backing|name|sizeBytes|type|rank|pid|hostId)");
        }
        MemoryType type = MemoryType.ofToken(fields[4]);
        if (type == null) {
            throw new ProtocolException("slot descriptor type=" + fields[4] + " (expected: host or device)");
        }
        try {
            return new SlotDescriptor(fields[1], fields[2], Long.parseLong(fields[3]), type,
                    Integer.parseInt(fields[5]), Long.parseLong(fields[6]), fields[7]);
        } catch (NumberFormatException e) {
            throw new ProtocolException("slot descriptor '" + abbreviate(text) + "': not a number: " + e.getMessage());
        } catch (ConfigurationException e) {
            throw new ProtocolException("slot descriptor '" + abbreviate(text) + "': " + e.getMessage());
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
