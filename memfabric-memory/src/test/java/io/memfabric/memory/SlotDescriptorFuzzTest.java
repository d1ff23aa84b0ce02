package io.memfabric.memory;

import io.memfabric.error.ProtocolException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The descriptor decoder reads bytes that arrive through the store: for any input, the result is a descriptor that
 * encodes back to the same text, or a {@link ProtocolException}, never anything else. Bounded by {@code tries} (jqwik
 * has no {@code @Timeout}).
 */
class SlotDescriptorFuzzTest {
    private static final String VALID = "mfslot1|shm|memfabric-demo-bm7-r3-host-p41234-t889123|1073741824|host|3|41234|"
            + "19d0d4bd-1602-4cbe-9510-56343f3700e5";

    @Property(tries = 3000)
    void decodingShouldYieldADescriptorOrAProtocolError(@ForAll("inputs") String text) {
        SlotDescriptor d;
        try {
            d = SlotDescriptor.decode(text);
        } catch (ProtocolException e) {
            return;
        }
        assertEquals(d, SlotDescriptor.decode(d.encode()));
    }

    @Property(tries = 1000)
    void bytesShouldYieldADescriptorOrAProtocolError(@ForAll byte[] bytes) {
        try {
            SlotDescriptor.fromBytes(bytes);
        } catch (ProtocolException e) {
            // expected for almost all inputs
        }
    }

    @Provide
    Arbitrary<String> inputs() {
        Arbitrary<String> mutated = Arbitraries.integers().between(0, VALID.length() - 1).flatMap(at ->
                Arbitraries.chars().ascii().map(c -> VALID.substring(0, at) + c + VALID.substring(at + 1)));
        Arbitrary<String> cut = Arbitraries.integers().between(0, VALID.length()).map(at -> VALID.substring(0, at));
        Arbitrary<String> fields = Arbitraries.strings().withChars("|0123456789-hostdevicemfslot1shmr").ofMaxLength(80);
        return Arbitraries.oneOf(mutated, cut, fields, Arbitraries.strings().ofMaxLength(100));
    }
}
