package io.memfabric.memory;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;

import java.util.Arrays;
import java.util.Objects;

/**
 * The global address space of one pool: every global virtual address (GVA) is a plain {@code long},
 * {@code gva = base(type) + rank * stride(type) + offset}, identical in every process (DESIGN §1). This value type
 * does all the arithmetic: composing ({@link #gva}, {@link #peerBase}), decomposing ({@link #rankOf},
 * {@link #typeOf}, {@link #offsetOf}) and the one overflow-safe range check every transport shares
 * ({@link #checkRange}, and its status-returning twin {@link #rangeStatus} for hot paths).
 *
 * <h2>Layout</h2>
 * <pre>
 *   0                      DEVICE_BASE = 2^58          HOST_BASE = 2^59           3 * 2^58               2^63
 *   |  not global (local   |  DEVICE window, 2^58 B   |  HOST window, 2^58 B    |  not global ...     |
 *   |  pointers live here) |  r0 | r1 | ... | r(n-1)  |  r0 | r1 | ... | r(n-1) |                     |
 *                          |&lt;stride&gt;|                  |&lt;stride&gt;|
 *   slot of rank r = [base + r * stride, base + r * stride + backed(r))  — the rest of the stride is not backed
 * </pre>
 * Our GVAs are numbers, not mappings: a peer's slot is mapped wherever {@code mmap} puts it, and a GVA is translated to
 * (rank, offset) and then to that mapping. So unlike upstream, whose GVAs are real virtual addresses in
 * [16 TiB, 24 TiB) (device) and [40 TiB, 168 TiB) (host), the windows sit above every user-space address (x86-64
 * user space ends below 2^47, or 2^56 with 5-level paging; aarch64 below 2^52). A GVA can therefore never be
 * mistaken for a local pointer (which lets the copy layer classify addresses for {@code AUTO} by range alone), and
 * each window holds {@link #MAX_WORLD_SIZE} ranks at the largest stride, {@link #MAX_STRIDE_BYTES} = 256 TiB (upstream
 * allows 2 TiB of DRAM per rank, and its own 128 TiB host window cannot hold 1024 of those). All arithmetic stays
 * below 2^63, so nothing overflows a signed {@code long}.
 *
 * <h2>Ranges</h2>
 * A range {@code [gva, gva + length)} is valid when {@code length > 0} and the whole range lies in the backed part of
 * one rank's slot. A zero length is rejected, as upstream's {@code smem_bm_copy} rejects {@code size == 0}: every
 * accepted range then names at least one backed byte, so the check also proves that {@code gva} itself is backed.
 * A range never spans two slots, even adjacent fully backed ones. The check is written as
 * {@code length > limit - offset} (never {@code offset + length > limit}) so that no length, up to
 * {@link Long#MAX_VALUE}, can wrap around.
 *
 * <p>The backed size of each rank's slot ({@code localSize <= stride}) becomes known when the rank publishes its slot;
 * a rank whose size is not known yet has 0 bytes backed, and every address in its slot is out of range. Instances are
 * immutable: {@link #withBackedBytes} returns a new space, to be published to readers as a whole (one release store
 * of the reference).
 *
 * <p>Thread safety: immutable; safe from any thread. Queries and checks allocate nothing unless they throw; only the
 * {@code with...} methods (off the hot path) copy.
 */
public final class AddressSpace {
    /** The largest world size (upstream: {@code worldSize} in 1..1024). */
    public static final int MAX_WORLD_SIZE = 1024;
    /** log2 of the size of each memory type's window. */
    public static final int WINDOW_SHIFT = 58;
    /** The size of each memory type's window: 256 PiB. */
    public static final long WINDOW_BYTES = 1L << WINDOW_SHIFT;
    /** The first address of the DEVICE window, {@code 0x0400_0000_0000_0000}. */
    public static final long DEVICE_BASE = 1L << WINDOW_SHIFT;
    /** The first address of the HOST window, {@code 0x0800_0000_0000_0000}; the window ends at {@code 3 * 2^58}. */
    public static final long HOST_BASE = DEVICE_BASE + WINDOW_BYTES;
    /** The largest stride: a window divided among {@link #MAX_WORLD_SIZE} ranks, 2^48 bytes = 256 TiB. */
    public static final long MAX_STRIDE_BYTES = WINDOW_BYTES / MAX_WORLD_SIZE;

    /** {@link #rangeStatus}: the range lies in the backed part of one slot. */
    public static final int OK = 0;
    /** {@link #rangeStatus}: the address is in neither window, or in a window whose type has no stride here. */
    public static final int NOT_GLOBAL = -1;
    /** {@link #rangeStatus}: the address is in a window, but in the slot of a rank {@code >= worldSize}. */
    public static final int NO_SUCH_RANK = -2;
    /** {@link #rangeStatus}: the range starts or ends outside the backed part of its rank's slot. */
    public static final int OUTSIDE_SLOT = -3;
    /** {@link #rangeStatus}: the length is zero or negative. */
    public static final int BAD_LENGTH = -4;

    private final int worldSize;
    private final long deviceStrideBytes;
    private final long hostStrideBytes;
    private final long[] deviceBackedBytes;
    private final long[] hostBackedBytes;

    private AddressSpace(int worldSize, long deviceStrideBytes, long hostStrideBytes, long[] deviceBackedBytes,
                         long[] hostBackedBytes) {
        this.worldSize = worldSize;
        this.deviceStrideBytes = deviceStrideBytes;
        this.hostStrideBytes = hostStrideBytes;
        this.deviceBackedBytes = deviceBackedBytes;
        this.hostBackedBytes = hostBackedBytes;
    }

    /**
     * A space in which no slot is backed yet.
     *
     * @param worldSize         number of ranks, 1..{@link #MAX_WORLD_SIZE}
     * @param hostStrideBytes   address space per rank for HOST memory (upstream {@code maxDramSize}),
     *                          0..{@link #MAX_STRIDE_BYTES}; 0 when the pool has no HOST memory
     * @param deviceStrideBytes address space per rank for DEVICE memory (upstream {@code maxHbmSize}),
     *                          0..{@link #MAX_STRIDE_BYTES}; 0 when the pool has no DEVICE memory
     * @return the space
     * @throws ConfigurationException naming the bad value
     */
    public static AddressSpace of(int worldSize, long hostStrideBytes, long deviceStrideBytes) {
        checkRange("worldSize", worldSize, 1, MAX_WORLD_SIZE);
        checkRange("hostStrideBytes", hostStrideBytes, 0, MAX_STRIDE_BYTES);
        checkRange("deviceStrideBytes", deviceStrideBytes, 0, MAX_STRIDE_BYTES);
        return new AddressSpace(worldSize, deviceStrideBytes, hostStrideBytes, new long[worldSize],
                new long[worldSize]);
    }

    /**
     * @param rank        a rank below {@link #worldSize()}
     * @param type        the memory type
     * @param backedBytes how much of the rank's slot is backed (its {@code localSize}), 0..stride
     * @return a space equal to this one but for that slot's backed size
     * @throws ConfigurationException naming the bad value
     */
    public AddressSpace withBackedBytes(int rank, MemoryType type, long backedBytes) {
        checkRank(rank);
        checkRange(type + " backedBytes of rank " + rank, backedBytes, 0, strideBytes(type));
        long[] device = deviceBackedBytes.clone();
        long[] host = hostBackedBytes.clone();
        (type == MemoryType.HOST ? host : device)[rank] = backedBytes;
        return new AddressSpace(worldSize, deviceStrideBytes, hostStrideBytes, device, host);
    }

    /**
     * @param type        the memory type
     * @param backedBytes how much of every rank's slot is backed, 0..stride
     * @return a space equal to this one but with every slot of {@code type} backed to {@code backedBytes}
     * @throws ConfigurationException naming the bad value
     */
    public AddressSpace withBackedBytesForAll(MemoryType type, long backedBytes) {
        checkRange(type + " backedBytes", backedBytes, 0, strideBytes(type));
        long[] device = deviceBackedBytes.clone();
        long[] host = hostBackedBytes.clone();
        Arrays.fill(type == MemoryType.HOST ? host : device, backedBytes);
        return new AddressSpace(worldSize, deviceStrideBytes, hostStrideBytes, device, host);
    }

    /** @return the number of ranks. */
    public int worldSize() {
        return worldSize;
    }

    /** @return the address space per rank for {@code type}, in bytes (0 when the pool has none of that type). */
    public long strideBytes(MemoryType type) {
        return type == MemoryType.HOST ? hostStrideBytes : deviceStrideBytes;
    }

    /** @return the first address of {@code type}'s window. */
    public static long base(MemoryType type) {
        return type == MemoryType.HOST ? HOST_BASE : DEVICE_BASE;
    }

    /**
     * @param rank a rank below {@link #worldSize()}
     * @param type the memory type
     * @return how many bytes of that rank's slot are backed (0 until the rank's size is known)
     */
    public long backedBytes(int rank, MemoryType type) {
        checkRank(rank);
        return (type == MemoryType.HOST ? hostBackedBytes : deviceBackedBytes)[rank];
    }

    /**
     * The first address of a rank's slot (upstream {@code smem_bm_ptr_by_mem_type}).
     *
     * @param rank a rank below {@link #worldSize()}
     * @param type the memory type
     * @return {@code base(type) + rank * stride(type)}
     * @throws ConfigurationException when the rank is out of range
     */
    public long peerBase(int rank, MemoryType type) {
        checkRank(rank);
        return base(type) + rank * strideBytes(type);
    }

    /**
     * Composes an address.
     *
     * @param rank   a rank below {@link #worldSize()}
     * @param type   the memory type
     * @param offset an offset in the slot, {@code 0 <= offset < stride(type)} (it need not be backed)
     * @return {@code base(type) + rank * stride(type) + offset}
     * @throws ConfigurationException when the rank or offset is out of range
     */
    public long gva(int rank, MemoryType type, long offset) {
        long stride = strideBytes(type);
        if (offset < 0 || offset >= stride) {
            throw new ConfigurationException("offset=" + offset + " (expected: 0.." + (stride - 1) + " in a " + type
                    + " slot of stride " + stride + ")");
        }
        return peerBase(rank, type) + offset;
    }

    /**
     * @param gva any value
     * @return the rank whose slot (stride, backed or not) holds {@code gva}, or -1 when it is not an address of this
     *         space
     */
    public int rankOf(long gva) {
        long stride;
        long relative;
        if (gva >= HOST_BASE) {
            stride = hostStrideBytes;
            relative = gva - HOST_BASE;
        } else if (gva >= DEVICE_BASE) {
            stride = deviceStrideBytes;
            relative = gva - DEVICE_BASE;
        } else {
            return -1;
        }
        if (stride == 0 || relative >= WINDOW_BYTES) {
            return -1;
        }
        long rank = relative / stride;
        return rank < worldSize ? (int) rank : -1;
    }

    /**
     * @param gva any value
     * @return the memory type of the slot holding {@code gva}, or {@code null} when it is not an address of this space
     *         (exactly when {@link #rankOf} is -1)
     */
    public MemoryType typeOf(long gva) {
        if (rankOf(gva) < 0) {
            return null;
        }
        return gva >= HOST_BASE ? MemoryType.HOST : MemoryType.DEVICE;
    }

    /**
     * @param gva any value
     * @return the offset of {@code gva} in its rank's slot, or -1 when it is not an address of this space (exactly
     *         when {@link #rankOf} is -1)
     */
    public long offsetOf(long gva) {
        int rank = rankOf(gva);
        if (rank < 0) {
            return -1;
        }
        return gva >= HOST_BASE
                ? gva - HOST_BASE - rank * hostStrideBytes
                : gva - DEVICE_BASE - rank * deviceStrideBytes;
    }

    /**
     * The overflow-safe bounds check that every transport shares, for a region that starts at 0 and holds
     * {@code limit} bytes (a slot's backed part, or a registered region with {@code offset = address - start}).
     *
     * @param offset where the range starts in the region (any value; negative is out of range)
     * @param length bytes (any value; zero or negative is out of range)
     * @param limit  the region's size, at least 0
     * @return whether {@code [offset, offset + length)} is non-empty and inside {@code [0, limit)}
     */
    public static boolean fits(long offset, long length, long limit) {
        // limit - offset cannot overflow: 0 <= offset <= limit. offset + length could, so it is never computed.
        return length > 0 && offset >= 0 && offset <= limit && length <= limit - offset;
    }

    /**
     * Checks a range without throwing or allocating: for hot paths and for requests that arrive from the network.
     *
     * @param gva    the first address
     * @param length bytes
     * @return {@link #OK}; {@link #BAD_LENGTH} when {@code length <= 0}; {@link #NOT_GLOBAL} when {@code gva} is in no
     *         window of this space; {@link #NO_SUCH_RANK} when its slot belongs to a rank {@code >= worldSize};
     *         {@link #OUTSIDE_SLOT} when the range leaves the backed part of its rank's slot. On any value but
     *         {@code OK} the caller must not touch memory; it answers the request with
     *         {@code ErrorCode.ADDRESS_OUT_OF_RANGE} or calls {@link #checkRange} for the exception.
     */
    public int rangeStatus(long gva, long length) {
        long offset = offsetInRange(gva, length);
        return offset >= 0 ? OK : (int) offset;
    }

    /**
     * Checks a range and locates it in one step, without throwing or allocating: the form a transport uses for each
     * request (one division).
     *
     * @param gva    the first address
     * @param length bytes
     * @return the offset of {@code gva} in its rank's slot ({@code >= 0}) when the range is valid; otherwise the
     *         negative status that {@link #rangeStatus} would return
     */
    public long offsetInRange(long gva, long length) {
        if (length <= 0) {
            return BAD_LENGTH;
        }
        long stride;
        long relative;
        long[] backed;
        if (gva >= HOST_BASE) {
            stride = hostStrideBytes;
            relative = gva - HOST_BASE;
            backed = hostBackedBytes;
        } else if (gva >= DEVICE_BASE) {
            stride = deviceStrideBytes;
            relative = gva - DEVICE_BASE;
            backed = deviceBackedBytes;
        } else {
            return NOT_GLOBAL;
        }
        if (stride == 0 || relative >= WINDOW_BYTES) {
            return NOT_GLOBAL;
        }
        long rank = relative / stride;
        if (rank >= worldSize) {
            return NO_SUCH_RANK;
        }
        long offset = relative - rank * stride;
        return fits(offset, length, backed[(int) rank]) ? offset : OUTSIDE_SLOT;
    }

    /**
     * Checks a range and returns where it starts in its slot.
     *
     * @param gva    the first address
     * @param length bytes, at least 1
     * @return {@link #offsetOf}{@code (gva)}
     * @throws AddressOutOfRangeException whenever {@link #rangeStatus} is not {@link #OK}, e.g.
     *                                    {@code gva=0x0800000000001000 length=8192 exceeds rank 0 HOST slot
     *                                    [0x0800000000000000, +4096)}
     */
    public long checkRange(long gva, long length) {
        return checkRange(null, gva, length);
    }

    /**
     * As {@link #checkRange(long, long)}, with the operation named first in the message ({@code copy L2G: gva=...}).
     *
     * @param operation what was attempted, e.g. {@code "copy L2G"}; may be {@code null}
     * @param gva       the first address
     * @param length    bytes, at least 1
     * @return {@link #offsetOf}{@code (gva)}
     * @throws AddressOutOfRangeException whenever {@link #rangeStatus} is not {@link #OK}
     */
    public long checkRange(String operation, long gva, long length) {
        long offset = offsetInRange(gva, length);
        if (offset < 0) {
            throw outOfRange(operation, gva, length, (int) offset);
        }
        return offset;
    }

    private AddressOutOfRangeException outOfRange(String operation, long gva, long length, int status) {
        String what = (operation == null ? "" : operation + ": ") + "gva=" + hex(gva) + " length=" + length;
        String message = switch (status) {
            case BAD_LENGTH -> what + " (expected: length > 0)";
            case NOT_GLOBAL -> what + " is not a global address (DEVICE " + describeWindow(MemoryType.DEVICE)
                    + ", HOST " + describeWindow(MemoryType.HOST) + ")";
            case NO_SUCH_RANK -> {
                MemoryType type = gva >= HOST_BASE ? MemoryType.HOST : MemoryType.DEVICE;
                long rank = (gva - base(type)) / strideBytes(type);
                yield what + " is in the " + type + " slot of rank " + rank + ", but worldSize=" + worldSize;
            }
            default -> {
                int rank = rankOf(gva);
                MemoryType type = typeOf(gva);
                yield what + " exceeds rank " + rank + " " + type + " slot [" + hex(peerBase(rank, type)) + ", +"
                        + backedBytes(rank, type) + ")";
            }
        };
        return new AddressOutOfRangeException(message, gva, length);
    }

    private String describeWindow(MemoryType type) {
        long stride = strideBytes(type);
        return stride == 0 ? "none" : "[" + hex(base(type)) + ", " + hex(base(type) + worldSize * stride) + ")";
    }

    private static String hex(long value) {
        return "0x" + String.format("%016x", value);
    }

    private void checkRank(int rank) {
        if (rank < 0 || rank >= worldSize) {
            throw new ConfigurationException("rank=" + rank + " (expected: 0.." + (worldSize - 1) + ")");
        }
    }

    private static void checkRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigurationException(name + "=" + value + " (expected: " + min + ".." + max + ")");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressSpace that
                && worldSize == that.worldSize
                && deviceStrideBytes == that.deviceStrideBytes
                && hostStrideBytes == that.hostStrideBytes
                && Arrays.equals(deviceBackedBytes, that.deviceBackedBytes)
                && Arrays.equals(hostBackedBytes, that.hostBackedBytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(worldSize, deviceStrideBytes, hostStrideBytes, Arrays.hashCode(deviceBackedBytes),
                Arrays.hashCode(hostBackedBytes));
    }

    @Override
    public String toString() {
        return "AddressSpace{worldSize=" + worldSize + ", DEVICE " + describeWindow(MemoryType.DEVICE) + " stride="
                + deviceStrideBytes + ", HOST " + describeWindow(MemoryType.HOST) + " stride=" + hostStrideBytes + "}";
    }
}
