package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The argument checks of the copy engine's entry points, in one place: local segments and lengths. (Global ranges are
 * checked against the {@link PeerView}, targets where they are resolved.)
 *
 * <p>Thread safety: stateless.
 */
final class CopyArguments {
    private CopyArguments() {
    }

    /** A local side read or written from its start: {@code length} in {@code 1..segment.byteSize()}. */
    static void checkLocal(String name, MemorySegment segment, long length) {
        Objects.requireNonNull(segment, name);
        if (length < 1 || length > segment.byteSize()) {
            throw new ConfigurationException("length=" + length + " (expected: 1.." + segment.byteSize()
                    + ", the size of " + name + ")");
        }
    }

    /** A local destination read or written from its start: as {@link #checkLocal}, and writable. */
    static void checkLocalWritable(MemorySegment dst, long length) {
        checkLocal("dst", dst, length);
        checkWritable(dst);
    }

    /** A local side at an offset: {@code [offset, offset + length)} inside the segment, {@code length >= 1}. */
    static void checkLocalRange(String name, MemorySegment segment, long offset, long length) {
        Objects.requireNonNull(segment, name);
        if (length < 1 || offset < 0 || length > segment.byteSize() - offset) {
            throw new ConfigurationException(name + "Offset=" + offset + " length=" + length + " (expected: length >= "
                    + "1 and the range inside " + name + " of " + segment.byteSize() + " bytes)");
        }
    }

    /** A local destination must be writable. */
    static void checkWritable(MemorySegment dst) {
        if (dst.isReadOnly()) {
            throw new ConfigurationException("dst is read-only (expected: a writable segment)");
        }
    }

    /** A segment an asynchronous copy hands to the engine's threads must be accessible from them. */
    static void checkShareable(String name, MemorySegment segment, Workers workers) {
        if (!workers.canAccess(segment)) {
            throw new ConfigurationException(name + " belongs to a confined arena of another thread (expected: a "
                    + "segment the engine's threads may access, e.g. of a shared or automatic arena, or on the heap)");
        }
    }

    /** A global-to-global length. */
    static void checkLength(long length) {
        if (length < 1) {
            throw new ConfigurationException("length=" + length + " (expected: >= 1)");
        }
    }
}
