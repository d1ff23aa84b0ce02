package io.memfabric.bm;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.MemoryType;

import java.lang.foreign.MemorySegment;

/**
 * The argument checks of every copy that do not depend on which ranks are present: the copy type fits the overload,
 * the size is positive, local segments are large enough and writable, a HOST-only type's global side is in the HOST
 * window, and {@code AUTO} has a global side. Range checks against slots come later, at execution, against the
 * current layout ({@link BigMemorySpace}).
 *
 * <p>Every check allocates nothing unless it throws: they run on every copy.
 *
 * <p>Thread safety: stateless.
 */
final class CopyChecks {
    /**
     * A thread that never runs: a segment that this thread cannot access belongs to a confined arena (only its owner
     * may touch it), so the copy engine's threads cannot either.
     */
    private static final Thread STRANGER = new Thread(() -> { }, "memfabric-bm-stranger");

    /** The end of the HOST window: GVAs are in {@code [DEVICE_BASE, HOST_END)}. */
    static final long HOST_END = AddressSpace.HOST_BASE + AddressSpace.WINDOW_BYTES;

    private CopyChecks() {
    }

    /** @return whether {@code address} lies in the DEVICE or the HOST window (of any layout). */
    static boolean isGlobal(long address) {
        return address >= AddressSpace.DEVICE_BASE && address < HOST_END;
    }

    /** @return whether {@code address} lies in the HOST window. */
    static boolean isHostWindow(long address) {
        return address >= AddressSpace.HOST_BASE && address < HOST_END;
    }

    /**
     * Checks a local-to-global copy ({@code copy(MemorySegment, long, ...)}).
     *
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} naming the bad value
     */
    static void checkWrite(String what, MemorySegment src, long dstGva, long size, CopyType type) {
        checkWrite(what, src, 0, dstGva, size, type);
    }

    /**
     * Checks a local-to-global copy from {@code src} at {@code srcOffset}.
     *
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} naming the bad value
     */
    static void checkWrite(String what, MemorySegment src, long srcOffset, long dstGva, long size, CopyType type) {
        checkCommon(what, size, type);
        if (!type.isLocalSource() && type != CopyType.AUTO) {
            throw invalid(what + " " + type + ": the source is a local MemorySegment, but " + type + " reads from a "
                    + "global address (expected: L2G, H2G, L2GH, H2GH or AUTO; or copy(long srcGva, ...))");
        }
        checkLocal(what, type, "src", src, srcOffset, size, false);
        checkGlobalSide(what, type, "dst", dstGva);
    }

    /**
     * Checks a global-to-local copy ({@code copy(long, MemorySegment, ...)}).
     *
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} naming the bad value
     */
    static void checkRead(String what, long srcGva, MemorySegment dst, long size, CopyType type) {
        checkRead(what, srcGva, dst, 0, size, type);
    }

    /**
     * Checks a global-to-local copy to {@code dst} at {@code dstOffset}.
     *
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} naming the bad value
     */
    static void checkRead(String what, long srcGva, MemorySegment dst, long dstOffset, long size, CopyType type) {
        checkCommon(what, size, type);
        if (!type.isLocalDestination() && type != CopyType.AUTO) {
            throw invalid(what + " " + type + ": the destination is a local MemorySegment, but " + type + " writes "
                    + "to a global address (expected: G2L, G2H, GH2L, GH2H or AUTO; or copy(..., long dstGva, ...))");
        }
        checkLocal(what, type, "dst", dst, dstOffset, size, true);
        checkGlobalSide(what, type, "src", srcGva);
    }

    /**
     * Checks a global-to-global copy ({@code copy(long, long, ...)}).
     *
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} naming the bad value
     */
    static void checkCopy(String what, long srcGva, long dstGva, long size, CopyType type) {
        checkCommon(what, size, type);
        if (type != CopyType.G2G && type != CopyType.AUTO) {
            throw invalid(what + " " + type + ": both sides are addresses (long), which is G2G (expected: G2G or "
                    + "AUTO; pass local memory as a MemorySegment)");
        }
        boolean srcGlobal = isGlobal(srcGva);
        boolean dstGlobal = isGlobal(dstGva);
        if (type == CopyType.AUTO && !srcGlobal && !dstGlobal) {
            throw invalid(what + " AUTO: src=" + hex(srcGva) + " and dst=" + hex(dstGva) + " are both local "
                    + "addresses, a local -> local copy (expected: at least one global address)");
        }
        if (!srcGlobal) {
            throw invalid(what + " " + type + ": src=" + hex(srcGva) + " is not a global address (expected: a GVA; "
                    + "pass local memory as a MemorySegment)");
        }
        if (!dstGlobal) {
            throw invalid(what + " " + type + ": dst=" + hex(dstGva) + " is not a global address (expected: a GVA; "
                    + "pass local memory as a MemorySegment)");
        }
    }

    private static void checkCommon(String what, long size, CopyType type) {
        if (type == null) {
            throw invalid(what + ": type=null (expected: a CopyType)");
        }
        if (size <= 0) {
            throw invalid(what + " " + type + ": size=" + size + " (expected: > 0)");
        }
    }

    private static void checkLocal(String what, CopyType type, String name, MemorySegment segment, long offset,
                                   long size, boolean written) {
        if (segment == null) {
            throw invalid(what + " " + type + ": " + name + "=null (expected: a MemorySegment)");
        }
        if (offset != 0 && (offset < 0 || segment.byteSize() - offset < size)) {
            throw invalid(what + " " + type + ": " + name + "Offset=" + offset + " size=" + size + " (expected: the "
                    + "range inside " + name + " of " + segment.byteSize() + " bytes)");
        }
        if (segment.byteSize() < size) {
            throw invalid(what + " " + type + ": " + name + ".byteSize()=" + segment.byteSize() + " < size=" + size
                    + " (expected: a segment of at least size bytes; slice it with asSlice)");
        }
        if (written && segment.isReadOnly()) {
            throw invalid(what + " " + type + ": " + name + " is a read-only segment (expected: writable)");
        }
    }

    private static void checkGlobalSide(String what, CopyType type, String name, long gva) {
        if (!isGlobal(gva)) {
            throw invalid(what + " " + type + ": " + name + "=" + hex(gva) + " is not a global address, so this "
                    + "would be a local -> local copy (expected: a GVA in the DEVICE or HOST window)");
        }
        if (type.requiresHostWindow() && !isHostWindow(gva)) {
            throw invalid(what + " " + type + ": " + name + "=" + hex(gva) + " is not in the HOST window [" + hex(
                    AddressSpace.HOST_BASE) + ", " + hex(HOST_END) + ") (expected: a HOST GVA for " + type + ")");
        }
    }

    /** @return whether {@code segment} may be accessed only by the thread that owns its (confined) arena. */
    static boolean isConfined(MemorySegment segment) {
        return !segment.isAccessibleBy(STRANGER);
    }

    /**
     * Checks that an asynchronous copy's segment can be touched by the copy engine's threads.
     *
     * @throws MemFabricException {@link ErrorCode#INVALID_PARAM} for a segment of a confined arena
     */
    static void checkShareable(String what, CopyType type, String name, MemorySegment segment) {
        if (isConfined(segment)) {
            throw invalid(what + " " + type + ": " + name + " belongs to a confined arena, which only its owner "
                    + "thread may access, but asynchronous copies run on the copy engine's threads (expected: a "
                    + "segment of a shared, global or automatic arena, or a heap segment; or the synchronous copy)");
        }
    }

    /** @throws ConfigurationException {@code INVALID_PARAM} for a null memory type */
    static void requireType(String label, String what, MemoryType type) {
        if (type == null) {
            throw new ConfigurationException(label + ": " + what + " type=null (expected: HOST or DEVICE)");
        }
    }

    /** @throws ConfigurationException {@code INVALID_PARAM} when the object has no memory of {@code type} */
    static void requireMemory(String label, String what, MemoryType type, long maxSize) {
        if (maxSize == 0) {
            throw new ConfigurationException(label + ": " + what + " type=" + type + ": this object has no " + type
                    + " memory (max" + (type == MemoryType.HOST ? "Host" : "Device") + "Size=0)");
        }
    }

    /** @throws ConfigurationException {@code INVALID_PARAM} for a rank outside {@code 0..worldSize-1} */
    static void requireRank(String label, String what, int rank, int worldSize) {
        if (rank < 0 || rank >= worldSize) {
            throw new ConfigurationException(label + ": " + what + " rank=" + rank + " (expected: 0.."
                    + (worldSize - 1) + ")");
        }
    }

    static MemFabricException invalid(String message) {
        return new MemFabricException(ErrorCode.INVALID_PARAM, message);
    }

    static String hex(long value) {
        return "0x" + String.format("%016x", value);
    }
}
