package io.memfabric.copy;

import io.memfabric.error.ProtocolException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The peer descriptor decoder reads what other ranks publish: for any input, a descriptor that encodes back to an
 * equal one, or a {@link ProtocolException}, never anything else. Bounded by {@code tries}.
 */
class PeerDescriptorFuzzTest {
    private static final String VALID = PeerDescriptorTest.sample().encode();

    @Property(tries = 3000)
    void decodingShouldYieldADescriptorOrAProtocolError(@ForAll("inputs") String text) {
        PeerDescriptor d;
        try {
            d = PeerDescriptor.decode(text);
        } catch (ProtocolException e) {
            return;
        }
        assertEquals(d, PeerDescriptor.decode(d.encode()));
    }

    @Property(tries = 1000)
    void bytesShouldYieldADescriptorOrAProtocolError(@ForAll byte[] bytes) {
        try {
            PeerDescriptor.fromBytes(bytes);
        } catch (ProtocolException e) {
            // expected for almost all inputs
        }
    }

    @Provide
    Arbitrary<String> inputs() {
        Arbitrary<String> mutated = Arbitraries.integers().between(0, VALID.length() - 1).flatMap(at ->
                Arbitraries.chars().ascii().map(c -> VALID.substring(0, at) + c + VALID.substring(at + 1)));
        Arbitrary<String> cut = Arbitraries.integers().between(0, VALID.length()).map(at -> VALID.substring(0, at));
        Arbitrary<String> spliced = Arbitraries.integers().between(0, VALID.length()).flatMap(at ->
                Arbitraries.strings().withChars(" |:[]0123456789abcdef.").ofMaxLength(12)
                        .map(s -> VALID.substring(0, at) + s + VALID.substring(at)));
        Arbitrary<String> fields = Arbitraries.strings().withChars(" |:0123456789mfpeer1slothost.[]")
                .ofMaxLength(120);
        return Arbitraries.oneOf(mutated, cut, spliced, fields, Arbitraries.strings().ofMaxLength(200));
    }
}
