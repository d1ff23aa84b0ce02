package io.memfabric.nativeapi;

import io.memfabric.memory.AddressSpace;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The caller's memory as the bridge sees it: one segment over the whole address space, in which a C pointer is an
 * offset. The engine copies from and to it in place ({@code BigMemorySpace.copy(ALL, address, ...)}), so a copy makes
 * no slice, no array and no copy; arrays of pointers and sizes (batches) are read where they are.
 *
 * <p>What the segment cannot do is tell a valid pointer from a wild one: like {@code memcpy}, a copy from an address
 * the caller does not own crashes the process. The bridge refuses what it can tell: NULL, and a GVA where local
 * memory is expected (a GVA is not an address of this process, see {@link #isGlobal}).
 *
 * <p>Thread safety: immutable.
 */
final class NativeMemory {
    /** The whole address space; a global segment, so the engine's threads may use it too. */
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final long HOST_END = AddressSpace.HOST_BASE + AddressSpace.WINDOW_BYTES;

    private NativeMemory() {
    }

    /** @return element {@code i} of a C array of 64-bit words (pointers, {@code size_t}, {@code uint64_t}). */
    static long word(long array, int i) {
        return ALL.get(WORD, array + (long) i * Long.BYTES);
    }

    /** @return whether {@code address} is a GVA (in the DEVICE or HOST window) rather than an address here. */
    static boolean isGlobal(long address) {
        return address >= AddressSpace.DEVICE_BASE && address < HOST_END;
    }

    /** @return a segment of {@code length} bytes at {@code address}, for calls that keep it (registrations). */
    static MemorySegment at(long address, long length) {
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }
}
