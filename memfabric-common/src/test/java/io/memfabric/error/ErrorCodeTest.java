package io.memfabric.error;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ErrorCodeTest {
    @Test
    void shouldKeepUpstreamNumbers() {
        assertEquals(-1, ErrorCode.ERROR.value());
        assertEquals(-2000, ErrorCode.INVALID_PARAM.value());
        assertEquals(-2004, ErrorCode.TIMEOUT.value());
        assertEquals(-2008, ErrorCode.NOT_INITIALIZED.value());
        assertEquals(-2011, ErrorCode.GET_OBJECT.value());
        assertEquals(-400, ErrorCode.STORE_INVALID_MESSAGE.value());
        assertEquals(-401, ErrorCode.STORE_INVALID_KEY.value());
        assertEquals(-404, ErrorCode.STORE_NOT_EXIST.value());
        assertEquals(-405, ErrorCode.STORE_RESTORE.value());
        assertEquals(-601, ErrorCode.STORE_TIMEOUT.value());
        assertEquals(-602, ErrorCode.STORE_IO_ERROR.value());
    }

    @Test
    void shouldHaveUniqueValuesAndMapUnknownOnes() {
        Set<Integer> seen = new HashSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(seen.add(code.value()), "duplicate " + code);
            assertEquals(code, ErrorCode.of(code.value()));
        }
        assertEquals(ErrorCode.UNKNOWN, ErrorCode.of(-99999));
    }

    @Test
    void shouldPutMemfabricOwnCodesAtOrBelowTheirBand() {
        for (ErrorCode code : ErrorCode.values()) {
            if (code.name().startsWith("STORE_") && code.value() < -1000 || code.name().startsWith("GROUP_")
                    || code.name().startsWith("PEER_")) {
                assertTrue(code.value() <= -2100, code + " must be in the -2100 band");
            }
        }
    }

    @Test
    void shouldFindCodesByName() {
        assertEquals(ErrorCode.STORE_TIMEOUT, ErrorCode.byName("STORE_TIMEOUT"));
        assertNull(ErrorCode.byName("ERR"));
    }

    @Test
    void shouldShowCodeInToString() {
        MemFabricException e = new MemFabricTimeoutException("MF.WAIT key=a after 10 ms");
        assertEquals(ErrorCode.TIMEOUT, e.code());
        assertTrue(e.toString().contains("[TIMEOUT/-2004] MF.WAIT key=a after 10 ms"), e.toString());
    }
}
