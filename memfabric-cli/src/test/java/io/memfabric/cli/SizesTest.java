package io.memfabric.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class SizesTest {
    @Test
    void exactSizesUseTheLargestUnitThatDividesThem() {
        assertEquals("4K", Sizes.format(4096));
        assertEquals("1M", Sizes.format(1 << 20));
        assertEquals("64M", Sizes.format(64L << 20));
        assertEquals("1536K", Sizes.format(1536L << 10));
        assertEquals("100B", Sizes.format(100));
    }

    @Test
    void roundedSizesKeepOneDecimal() {
        assertEquals("23.5G", Sizes.rounded((47L << 30) / 2));
        assertEquals("1000B", Sizes.rounded(1000));
        assertEquals("1.0K", Sizes.rounded(1024));
    }
}
