package io.memfabric.store.client;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Error replies map to typed exceptions by their first word. */
@Timeout(10)
class StoreErrorsTest {
    @Test
    void memfabricCodeNamesMapToThoseCodes() {
        assertEquals(ErrorCode.STORE_RANK_UNAVAILABLE, StoreErrors.codeOf("STORE_RANK_UNAVAILABLE rank=3 ns=f/"));
        assertEquals(ErrorCode.STORE_WORLD_SIZE_EXCEEDED, StoreErrors.codeOf("STORE_WORLD_SIZE_EXCEEDED ws=4"));
        assertEquals(ErrorCode.STORE_SHUTDOWN, StoreErrors.codeOf("STORE_SHUTDOWN MF.WAIT key=k"));
        assertEquals(ErrorCode.STORE_LIMIT_EXCEEDED, StoreErrors.codeOf("STORE_LIMIT_EXCEEDED key too long"));
        assertEquals(ErrorCode.STORE_INVALID_KEY, StoreErrors.codeOf("STORE_INVALID_KEY"));
    }

    @Test
    void redisKindsMapToStoreCodes() {
        assertEquals(ErrorCode.STORE_AUTH_REQUIRED, StoreErrors.codeOf("NOAUTH Authentication required."));
        assertEquals(ErrorCode.STORE_AUTH_FAILED, StoreErrors.codeOf("WRONGPASS invalid username-password pair"));
        assertEquals(ErrorCode.STORE_WRONG_TYPE, StoreErrors.codeOf("WRONGTYPE Operation against a key"));
        assertEquals(ErrorCode.STORE_WRONG_TYPE, StoreErrors.codeOf("ERR value is not an integer or out of range"));
        assertEquals(ErrorCode.STORE_BAD_COMMAND, StoreErrors.codeOf("ERR unknown command 'FOO'"));
        assertEquals(ErrorCode.STORE_BAD_COMMAND, StoreErrors.codeOf("ERR wrong number of arguments for 'get'"));
        assertEquals(ErrorCode.ERROR, StoreErrors.codeOf("ERR syntax error"));
        assertEquals(ErrorCode.ERROR, StoreErrors.codeOf("SOMETHINGNEW from a newer server"));
        assertEquals(ErrorCode.ERROR, StoreErrors.codeOf(""));
    }

    @Test
    void aServerTimeoutBecomesATimeoutExceptionNamingCommandKeyAndStore() {
        RespStoreClient view = new RespStoreClient(null, "grp/", false);
        Request wait = Request.withNumbers(Op.WAIT, view, "b/7", 100, 0, 1_000_000);
        MemFabricException e = StoreErrors.fromReply(wait, "STORE_TIMEOUT MF.WAIT key=grp/b/7 after 100 ms",
                "tcp://127.0.0.1:7000");
        MemFabricTimeoutException timeout = assertInstanceOf(MemFabricTimeoutException.class, e);
        assertEquals(ErrorCode.STORE_TIMEOUT, timeout.code());
        assertTrue(e.getMessage().startsWith("MF.WAIT key=grp/b/7 failed on tcp://127.0.0.1:7000: STORE_TIMEOUT"),
                e.getMessage());
    }
}
