package io.memfabric.transport.tcp;

import java.lang.foreign.MemorySegment;

import static io.memfabric.transport.tcp.TcpProtocol.I16;
import static io.memfabric.transport.tcp.TcpProtocol.I32;
import static io.memfabric.transport.tcp.TcpProtocol.I64;

/**
 * The fields of an ATOMIC request ({@link TcpProtocol#TYPE_ATOMIC}, reserved: designed for the SHM API's remote
 * atomics, not served by this version), laid over bytes 24..47 of the 48-byte request frame whose first 24 bytes
 * ({@code version | type | space | requestId | address}) a {@link RequestFlyweight} reads and writes as for every
 * request:
 * <pre>
 *   0 .. 24                                   24       26      28         32        40         48
 *   | version | type | space | requestId | address | opcode | width | reserved | operand | operand2 |
 *     (as every request; type = ATOMIC = 4)          i16      i16     i32        i64       i64
 * </pre>
 * <ul>
 *   <li>{@code opcode}: {@link #OP_FETCH}, {@link #OP_SET}, {@link #OP_FETCH_ADD}, {@link #OP_ADD},
 *       {@link #OP_COMPARE_AND_SWAP} or {@link #OP_SWAP};</li>
 *   <li>{@code width}: 4 or 8, the bytes of the word at {@code address}, which must be naturally aligned (hardware
 *       atomics need it; a slot starts on a page, so the offset's alignment is the address's);</li>
 *   <li>{@code operand}: the value to store (SET, SWAP), to add (FETCH_ADD, ADD) or to compare with
 *       (COMPARE_AND_SWAP); {@code operand2}: the value COMPARE_AND_SWAP stores on a match. A 4-byte operation uses
 *       the low 4 bytes of each operand.</li>
 * </ul>
 * The reply is a {@link ReplyFlyweight} with {@code length = 8}, followed by the word's value before the operation
 * ({@code old:i64}, a 4-byte word zero-extended): what FETCH, FETCH_ADD, SWAP and COMPARE_AND_SWAP return (the
 * latter's witness value: equal to {@code operand} when the swap took place), 0 for SET and ADD. A failed request's
 * reply has a negative status and no payload.
 *
 * <p>The listener applies the operation to its slot or registered region with the segment's aligned {@code VarHandle}
 * in volatile mode ({@code getAndAdd}, {@code compareAndExchange}, {@code getAndSet}, {@code getVolatile},
 * {@code setVolatile}): hardware atomics on the word, so they are atomic with respect to the same operations made
 * by same-host ranks through their mappings, and to every other ATOMIC request. Checks, before any memory is
 * touched: an unknown opcode or width is malformed ({@code PROTOCOL_ERROR}, the connection ends); a word outside the
 * slot or regions ({@code AddressSpace.fits(address, width, size)}) or not aligned gets {@code ADDRESS_OUT_OF_RANGE}
 * and the connection goes on. Serving it is one more case of {@code TcpListenerChannel.serveRequest} and one method
 * of its own ({@code serveAtomic}).
 *
 * <p>Thread safety: a reusable view; one thread at a time.
 */
final class AtomicRequestFlyweight {
    /** Reads the word. */
    static final short OP_FETCH = 1;
    /** Stores {@code operand}. */
    static final short OP_SET = 2;
    /** Adds {@code operand}, replies the old value. */
    static final short OP_FETCH_ADD = 3;
    /** Adds {@code operand}. */
    static final short OP_ADD = 4;
    /** Stores {@code operand2} if the word equals {@code operand}; replies the value it found. */
    static final short OP_COMPARE_AND_SWAP = 5;
    /** Stores {@code operand}, replies the old value. */
    static final short OP_SWAP = 6;

    static final int OPCODE_OFFSET = RequestFlyweight.TYPE_FIELDS_OFFSET;
    static final int WIDTH_OFFSET = OPCODE_OFFSET + Short.BYTES;
    static final int RESERVED_OFFSET = WIDTH_OFFSET + Short.BYTES;
    static final int OPERAND_OFFSET = RESERVED_OFFSET + Integer.BYTES;
    static final int OPERAND2_OFFSET = OPERAND_OFFSET + Long.BYTES;
    /** The whole frame, equal to {@link RequestFlyweight#LENGTH}: the listener reads every request alike. */
    static final int LENGTH = OPERAND2_OFFSET + Long.BYTES;
    /** Bytes of the reply's payload: the old value. */
    static final int REPLY_PAYLOAD_BYTES = Long.BYTES;

    static {
        if (LENGTH != RequestFlyweight.LENGTH) {
            throw new ExceptionInInitializerError("ATOMIC frame of " + LENGTH + " bytes (expected: "
                    + RequestFlyweight.LENGTH + ", the length of every request)");
        }
    }

    private MemorySegment segment;
    private long offset;

    /**
     * Points this view at the request frame that starts at {@code offset} of {@code segment} (the same frame a
     * {@link RequestFlyweight} wraps for the shared fields).
     *
     * @return this
     */
    AtomicRequestFlyweight wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /**
     * @param opcode one of {@code OP_*}
     * @return this
     */
    AtomicRequestFlyweight opcode(short opcode) {
        segment.set(I16, offset + OPCODE_OFFSET, opcode);
        return this;
    }

    /**
     * @param width the word's bytes: 4 or 8
     * @return this
     */
    AtomicRequestFlyweight width(short width) {
        segment.set(I16, offset + WIDTH_OFFSET, width);
        return this;
    }

    /**
     * @param reserved 0
     * @return this
     */
    AtomicRequestFlyweight reserved(int reserved) {
        segment.set(I32, offset + RESERVED_OFFSET, reserved);
        return this;
    }

    /**
     * @param operand the value stored, added or compared with (see the class comment); 0 for FETCH
     * @return this
     */
    AtomicRequestFlyweight operand(long operand) {
        segment.set(I64, offset + OPERAND_OFFSET, operand);
        return this;
    }

    /**
     * @param operand2 the value COMPARE_AND_SWAP stores on a match; 0 for the other operations
     * @return this
     */
    AtomicRequestFlyweight operand2(long operand2) {
        segment.set(I64, offset + OPERAND2_OFFSET, operand2);
        return this;
    }

    short opcode() {
        return segment.get(I16, offset + OPCODE_OFFSET);
    }

    short width() {
        return segment.get(I16, offset + WIDTH_OFFSET);
    }

    long operand() {
        return segment.get(I64, offset + OPERAND_OFFSET);
    }

    long operand2() {
        return segment.get(I64, offset + OPERAND2_OFFSET);
    }
}
