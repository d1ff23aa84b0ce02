package io.memfabric.bm;

import io.memfabric.copy.CopyEngine;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * User memory registered with a {@link BigMemorySpace} (upstream {@code smem_bm_register_user_mem}), by address, with
 * upstream's rules: the same address and size again is a no-op, the same address with another size is refused, an
 * unknown address is ignored on unregister. The copy engine serves registered memory to peers.
 *
 * <p>Thread safety: any method from any thread.
 */
final class UserRegistrations {
    private final String label;
    private final CopyEngine engine;
    private final Map<Long, MemorySegment> registered = new ConcurrentHashMap<>();

    UserRegistrations(String label, CopyEngine engine) {
        this.label = label;
        this.engine = engine;
    }

    void register(MemorySegment segment) {
        if (segment == null || !segment.isNative() || segment.address() == 0 || segment.byteSize() == 0) {
            throw CopyChecks.invalid(label + ": register segment=" + segment + " (expected: a non-empty native "
                    + "segment)");
        }
        MemorySegment previous = registered.putIfAbsent(segment.address(), segment);
        if (previous != null) {
            if (previous.byteSize() == segment.byteSize()) {
                return;
            }
            throw CopyChecks.invalid(label + ": register address=" + CopyChecks.hex(segment.address()) + " size="
                    + segment.byteSize() + ": already registered with size=" + previous.byteSize()
                    + " (expected: unregister it first)");
        }
        try {
            engine.register(segment);
        } catch (RuntimeException e) {
            registered.remove(segment.address(), segment);
            throw e;
        }
    }

    void unregister(MemorySegment segment) {
        if (segment == null) {
            throw CopyChecks.invalid(label + ": unregister segment=null (expected: a segment)");
        }
        MemorySegment previous = registered.remove(segment.address());
        if (previous != null) {
            engine.unregister(previous);
        }
    }
}
