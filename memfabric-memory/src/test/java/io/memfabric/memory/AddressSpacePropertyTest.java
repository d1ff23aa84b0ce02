package io.memfabric.memory;

import io.memfabric.error.AddressOutOfRangeException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.LongRange;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.memfabric.memory.AddressSpace.BAD_LENGTH;
import static io.memfabric.memory.AddressSpace.DEVICE_BASE;
import static io.memfabric.memory.AddressSpace.HOST_BASE;
import static io.memfabric.memory.AddressSpace.MAX_STRIDE_BYTES;
import static io.memfabric.memory.AddressSpace.MAX_WORLD_SIZE;
import static io.memfabric.memory.AddressSpace.NOT_GLOBAL;
import static io.memfabric.memory.AddressSpace.NO_SUCH_RANK;
import static io.memfabric.memory.AddressSpace.OK;
import static io.memfabric.memory.AddressSpace.OUTSIDE_SLOT;
import static io.memfabric.memory.AddressSpace.WINDOW_BYTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the address arithmetic over random layouts (world sizes 1..1024, strides 0..256 TiB, backed sizes
 * 0..stride per rank) and addresses drawn both at random and at every slot and window boundary. The production
 * validator is checked against an independent model in {@link BigInteger} arithmetic, which cannot overflow.
 *
 * <p>jqwik has no {@code @Timeout}; each property is bounded by its {@code tries} and is pure arithmetic (the whole
 * class runs in about a second).
 */
class AddressSpacePropertyTest {
    private static final BigInteger WINDOW = BigInteger.valueOf(WINDOW_BYTES);

    /** A valid (space, type, rank, offset) coordinate. */
    record Point(AddressSpace space, MemoryType type, int rank, long offset) {
    }

    /** An arbitrary (gva, length) question about a space. */
    record Question(AddressSpace space, long gva, long length) {
    }

    @Property(tries = 2000)
    void composingAndDecomposingShouldRoundTrip(@ForAll("points") Point p) {
        AddressSpace s = p.space();
        long gva = s.gva(p.rank(), p.type(), p.offset());
        assertEquals(p.rank(), s.rankOf(gva));
        assertEquals(p.type(), s.typeOf(gva));
        assertEquals(p.offset(), s.offsetOf(gva));
        assertEquals(gva, s.peerBase(p.rank(), p.type()) + p.offset());
        assertTrue(gva >= AddressSpace.base(p.type()) && gva - AddressSpace.base(p.type()) < WINDOW_BYTES);
    }

    @Property(tries = 2000)
    void everyDecomposableAddressShouldRecompose(@ForAll("questions") Question q) {
        AddressSpace s = q.space();
        int rank = s.rankOf(q.gva());
        MemoryType type = s.typeOf(q.gva());
        long offset = s.offsetOf(q.gva());
        if (rank < 0) {
            assertNull(type);
            assertEquals(-1, offset);
            assertNotEquals(OK, s.rangeStatus(q.gva(), 1));
        } else {
            assertTrue(offset >= 0 && offset < s.strideBytes(type));
            assertEquals(q.gva(), s.gva(rank, type, offset));
        }
    }

    @Property(tries = 5000)
    void rangeStatusShouldAgreeWithAnOverflowFreeModel(@ForAll("questions") Question q) {
        int status = q.space().rangeStatus(q.gva(), q.length());
        assertEquals(model(q.space(), q.gva(), q.length()), status,
                () -> q.space() + " gva=0x" + Long.toHexString(q.gva()) + " length=" + q.length());
        assertEquals(status == OK ? q.space().offsetOf(q.gva()) : status,
                q.space().offsetInRange(q.gva(), q.length()));
        // The generators must reach every verdict, not just the easy ones.
        Statistics.label("status").collect(status).coverage(checker -> {
            for (int verdict : new int[] {OK, NOT_GLOBAL, NO_SUCH_RANK, OUTSIDE_SLOT, BAD_LENGTH}) {
                checker.check(verdict).percentage(p -> p >= 2.0);
            }
        });
    }

    @Property(tries = 2000)
    void checkRangeShouldThrowExactlyWhenTheStatusIsNotOk(@ForAll("questions") Question q) {
        AddressSpace s = q.space();
        if (s.rangeStatus(q.gva(), q.length()) == OK) {
            assertEquals(s.offsetOf(q.gva()), s.checkRange(q.gva(), q.length()));
        } else {
            AddressOutOfRangeException e = assertThrows(AddressOutOfRangeException.class,
                    () -> s.checkRange("op", q.gva(), q.length()));
            assertEquals(q.gva(), e.gva());
            assertEquals(q.length(), e.length());
            assertTrue(e.getMessage().startsWith("op: gva=0x" + String.format("%016x", q.gva()) + " length="
                    + q.length() + " "), e.getMessage());
        }
    }

    @Property(tries = 2000)
    void slotBoundariesShouldHoldTheLastByteAndExcludeTheNext(@ForAll("points") Point p) {
        AddressSpace s = p.space();
        long start = s.peerBase(p.rank(), p.type());
        long backed = s.backedBytes(p.rank(), p.type());
        if (backed == 0) {
            assertEquals(OUTSIDE_SLOT, s.rangeStatus(start, 1));
            return;
        }
        assertEquals(OK, s.rangeStatus(start, backed), "exact match of the backed part");
        assertEquals(OK, s.rangeStatus(start + backed - 1, 1), "last byte in");
        assertNotEquals(OK, s.rangeStatus(start + backed - 1, 2), "one byte past the end");
        assertNotEquals(OK, s.rangeStatus(start, backed + 1));
        assertNotEquals(OK, s.rangeStatus(start - 1, 2), "one byte before the start");
        if (backed < s.strideBytes(p.type())) {
            assertEquals(OUTSIDE_SLOT, s.rangeStatus(start + backed, 1), "first byte out");
        }
        assertNotEquals(OK, s.rangeStatus(start + backed - 1, Long.MAX_VALUE), "no wrap-around");
    }

    @Property(tries = 3000)
    void fitsShouldAgreeWithAnOverflowFreeModel(@ForAll long offset, @ForAll long length,
                                                @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long limit) {
        BigInteger end = BigInteger.valueOf(offset).add(BigInteger.valueOf(length));
        boolean expected = length > 0 && offset >= 0 && end.compareTo(BigInteger.valueOf(limit)) <= 0;
        assertEquals(expected, AddressSpace.fits(offset, length, limit));
    }

    /** The specification of {@link AddressSpace#rangeStatus}, in arithmetic that cannot overflow. */
    static int model(AddressSpace s, long gva, long length) {
        if (length <= 0) {
            return BAD_LENGTH;
        }
        BigInteger g = BigInteger.valueOf(gva);
        for (MemoryType type : MemoryType.values()) {
            BigInteger base = BigInteger.valueOf(AddressSpace.base(type));
            long stride = s.strideBytes(type);
            if (stride == 0 || g.compareTo(base) < 0 || g.compareTo(base.add(WINDOW)) >= 0) {
                continue;
            }
            BigInteger[] rankAndOffset = g.subtract(base).divideAndRemainder(BigInteger.valueOf(stride));
            if (rankAndOffset[0].compareTo(BigInteger.valueOf(s.worldSize())) >= 0) {
                return NO_SUCH_RANK;
            }
            long backed = s.backedBytes(rankAndOffset[0].intValueExact(), type);
            BigInteger end = rankAndOffset[1].add(BigInteger.valueOf(length));
            return end.compareTo(BigInteger.valueOf(backed)) <= 0 ? OK : OUTSIDE_SLOT;
        }
        return NOT_GLOBAL;
    }

    @Provide
    Arbitrary<AddressSpace> spaces() {
        Arbitrary<Integer> worldSizes = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(1, 8)),
                Tuple.of(2, Arbitraries.integers().between(1, MAX_WORLD_SIZE)),
                Tuple.of(1, Arbitraries.just(MAX_WORLD_SIZE)));
        Arbitrary<Long> strides = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0L)),
                Tuple.of(3, Arbitraries.longs().between(1, 1 << 16)),
                Tuple.of(3, Arbitraries.longs().between(1, MAX_STRIDE_BYTES)),
                Tuple.of(2, Arbitraries.of(1L, 4096L, 1L << 30, 2L << 40, MAX_STRIDE_BYTES)));
        return Combinators.combine(worldSizes, strides, strides, Arbitraries.longs())
                .as(AddressSpacePropertyTest::space);
    }

    private static AddressSpace space(int worldSize, long hostStride, long deviceStride, long seed) {
        Random random = new Random(seed);
        AddressSpace space = AddressSpace.of(worldSize, hostStride, deviceStride);
        for (MemoryType type : MemoryType.values()) {
            long stride = space.strideBytes(type);
            if (stride == 0) {
                continue;
            }
            space = space.withBackedBytesForAll(type, backed(random, stride));
            for (int i = 0; i < 3; i++) {
                space = space.withBackedBytes(random.nextInt(worldSize), type, backed(random, stride));
            }
        }
        return space;
    }

    private static long backed(Random random, long stride) {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> stride;
            case 2 -> stride - 1;
            case 3 -> Math.min(stride, 1);
            default -> random.nextLong(stride + 1);
        };
    }

    @Provide
    Arbitrary<Point> points() {
        // Flat parameters mapped onto each space (no flatMap: a generator built per try costs milliseconds).
        return Combinators.combine(
                        spaces().filter(s -> !types(s).isEmpty()),
                        Arbitraries.integers().between(0, 1),
                        Arbitraries.integers().between(0, MAX_WORLD_SIZE - 1),
                        Arbitraries.longs().between(0, MAX_STRIDE_BYTES - 1),
                        Arbitraries.integers().between(0, 3))
                .as((space, typeIndex, rankRaw, offsetRaw, offsetKind) -> {
                    List<MemoryType> types = types(space);
                    MemoryType type = types.get(typeIndex % types.size());
                    long stride = space.strideBytes(type);
                    long offset = switch (offsetKind) {
                        case 0 -> 0;
                        case 1 -> stride - 1;
                        default -> offsetRaw % stride;
                    };
                    return new Point(space, type, rankRaw % space.worldSize(), offset);
                });
    }

    private static List<MemoryType> types(AddressSpace space) {
        List<MemoryType> types = new ArrayList<>();
        for (MemoryType type : MemoryType.values()) {
            if (space.strideBytes(type) > 0) {
                types.add(type);
            }
        }
        return types;
    }

    @Provide
    Arbitrary<Question> questions() {
        Arbitrary<Tuple.Tuple6<MemoryType, Integer, Integer, Long, Integer, Long>> boundary = Combinators.combine(
                        Arbitraries.of(MemoryType.values()),
                        Arbitraries.integers().between(0, MAX_WORLD_SIZE),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.longs().between(-3, 3),
                        Arbitraries.integers().between(0, 4),
                        Arbitraries.longs().between(-2, 2))
                .as(Tuple::of);
        return Combinators.combine(spaces(), Arbitraries.integers().between(0, 4), anyAddress(), lengths(), boundary)
                .as((space, mode, gva, length, b) -> mode == 0
                        ? new Question(space, gva, length)
                        : nearBoundary(space, b.get1(), b.get2() % (space.worldSize() + 1), b.get3(), b.get4(),
                                b.get5(), b.get6()));
    }

    private static Arbitrary<Long> anyAddress() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.longs()),
                Tuple.of(1, Arbitraries.of(0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x7f12_3456_7000L,
                        DEVICE_BASE - 1, DEVICE_BASE, HOST_BASE - 1, HOST_BASE, HOST_BASE + WINDOW_BYTES - 1,
                        HOST_BASE + WINDOW_BYTES)));
    }

    private static Arbitrary<Long> lengths() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(1, 64)),
                Tuple.of(2, Arbitraries.longs()),
                Tuple.of(2, Arbitraries.longs().between(1, 1L << 50)),
                Tuple.of(1, Arbitraries.of(0L, -1L, 1L, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE)));
    }

    /**
     * An address within a few bytes of a slot's start, backed end or stride end ({@code anchor} 0, 1, 2), where
     * {@code rank} may equal the world size, and a length that reaches exactly to, just short of or just past the
     * backed end, or is tiny, huge, zero or negative.
     */
    private static Question nearBoundary(AddressSpace space, MemoryType type, int rank, int anchor, long delta,
                                         int lengthKind, long lengthDelta) {
        if (space.strideBytes(type) == 0) {
            type = type == MemoryType.HOST ? MemoryType.DEVICE : MemoryType.HOST; // prefer a window that has slots
        }
        long stride = space.strideBytes(type);
        long start = AddressSpace.base(type) + rank * stride; // rank may be worldSize: no peerBase here
        long backed = rank < space.worldSize() ? space.backedBytes(rank, type) : 0;
        long gva = switch (anchor) {
            case 0 -> start;
            case 1 -> start + backed;
            default -> start + stride;
        } + delta;
        long untilEnd = backed - (gva - start);
        long length = switch (lengthKind) {
            case 0 -> untilEnd + lengthDelta;
            case 1 -> 1 + Math.abs(lengthDelta);
            case 2 -> Long.MAX_VALUE - Math.abs(lengthDelta);
            case 3 -> lengthDelta;
            default -> stride + lengthDelta;
        };
        return new Question(space, gva, length);
    }
}
