package io.memfabric.error;

/**
 * An address or length outside a slot or registered region: {@link ErrorCode#ADDRESS_OUT_OF_RANGE}. The message names
 * the global address, the length and the bounds it broke, e.g.
 * {@code copy L2G: gva=0x800000000c001000 length=8192 exceeds rank 3 HOST slot [0x800000000c000000, +4096)}.
 */
public class AddressOutOfRangeException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    private final long gva;
    private final long length;

    /**
     * @param message what was attempted, naming the address, the length and the bounds
     * @param gva     the rejected address
     * @param length  the rejected length in bytes
     */
    public AddressOutOfRangeException(String message, long gva, long length) {
        super(ErrorCode.ADDRESS_OUT_OF_RANGE, message);
        this.gva = gva;
        this.length = length;
    }

    /** @return the rejected address. */
    public long gva() {
        return gva;
    }

    /** @return the rejected length in bytes. */
    public long length() {
        return length;
    }
}
