package io.memfabric.common.fault;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class FaultActionTest {
    @Test
    void shouldParseEveryKindWithCountAndSkip() {
        FaultAction delay = FaultAction.parse("delay:200ms*3");
        assertEquals(FaultAction.Kind.DELAY, delay.kind());
        assertEquals(Duration.ofMillis(200), delay.delay());
        assertEquals(3, delay.count());
        assertEquals(0, delay.skip());

        FaultAction fail = FaultAction.parse(" fail:store_io_error +4 ");
        assertEquals(FaultAction.Kind.FAIL, fail.kind());
        assertEquals(FaultAction.UNLIMITED, fail.count());
        assertEquals(4, fail.skip());
        assertEquals(ErrorCode.STORE_IO_ERROR,
                ((InjectedFaultException) fail.failure("p", 1)).code());

        FaultAction kill = FaultAction.parse("kill*1+2");
        assertEquals(FaultAction.KILL_STATUS_DEFAULT, kill.status());
        assertEquals(7, FaultAction.parse("kill:7").status());
    }

    @Test
    void shouldPrintTheTextFormItParses() {
        for (String text : List.of("fail", "fail:STORE_TIMEOUT*2", "delay:200ms*3", "delay:1500ns", "kill:9+2",
                "fail*1+5")) {
            assertEquals(text, FaultAction.parse(text).toString());
        }
    }

    @Test
    void shouldRefuseBadActionsNamingTheText() {
        for (String text : List.of("explode", "delay", "delay:-1ms", "delay:0ms", "fail:NO_SUCH_CODE", "fail*0",
                "kill:300", "fail*x", "fail+-1")) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> FaultAction.parse(text),
                    text);
            assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
        }
    }

    @Test
    void shouldParseAListOfFaultsWithCommentsAndLineBreaks() {
        Map<String, FaultAction> faults = FaultInjector.parse("""
                # slow sends, then a failing slot
                store.client.send=delay:200ms*3, slot.create=fail
                store.server.accept = fail*1   # one refused accept
                """);
        assertEquals(List.of("store.client.send", "slot.create", "store.server.accept"),
                List.copyOf(faults.keySet()));
        assertEquals("delay:200ms*3", faults.get("store.client.send").toString());
        assertEquals(1, faults.get("store.server.accept").count());
        assertThrows(ConfigurationException.class, () -> FaultInjector.parse("store.client.send"));
        assertThrows(ConfigurationException.class, () -> FaultInjector.parse("Bad Name=fail"));
    }
}
