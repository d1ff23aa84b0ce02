package io.memfabric.transport;

import io.memfabric.memory.MemoryType;

/**
 * Which memory of a peer a remote address points into. Slots are addressed by offset; registered regions by their
 * address in the peer's process (the TRANS API's view of user buffers).
 *
 * <p>Thread safety: immutable.
 */
public enum Space {
    /** The peer's HOST slot; the address is an offset in it. */
    HOST_SLOT(0),
    /** The peer's DEVICE slot; the address is an offset in it. */
    DEVICE_SLOT(1),
    /** A region the peer registered; the address is a virtual address in the peer's process. */
    REGISTERED(2);

    private static final Space[] BY_WIRE = {HOST_SLOT, DEVICE_SLOT, REGISTERED};

    private final int wireValue;

    Space(int wireValue) {
        this.wireValue = wireValue;
    }

    /** @return the value that names this space on the wire. */
    public int wireValue() {
        return wireValue;
    }

    /**
     * @param value a value from the wire
     * @return the space, or {@code null} for an unknown value
     */
    public static Space ofWire(int value) {
        return value >= 0 && value < BY_WIRE.length ? BY_WIRE[value] : null;
    }

    /** @return the slot space of a memory type. */
    public static Space of(MemoryType type) {
        return type == MemoryType.HOST ? HOST_SLOT : DEVICE_SLOT;
    }

    /** @return the memory type of a slot space, or {@code null} for {@link #REGISTERED}. */
    public MemoryType memoryType() {
        return switch (this) {
            case HOST_SLOT -> MemoryType.HOST;
            case DEVICE_SLOT -> MemoryType.DEVICE;
            case REGISTERED -> null;
        };
    }
}
