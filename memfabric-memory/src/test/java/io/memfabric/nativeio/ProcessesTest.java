package io.memfabric.nativeio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ProcessesTest {
    @Test
    void getpidShouldAgreeWithProcessHandle() {
        assertEquals(ProcessHandle.current().pid(), Processes.currentPid());
    }

    @Test
    void aProcessIsAliveOnlyWithItsOwnStartTime() {
        long pid = Processes.currentPid();
        long ticks = Processes.currentStartTicks();
        assertTrue(ticks > 0);
        assertTrue(Processes.isAlive(pid, ticks));
        assertFalse(Processes.isAlive(pid, ticks + 1), "same pid, other start time: a reused pid");
        assertFalse(Processes.isAlive(999_999_999L, ticks));
        assertEquals(-1, Processes.startTicks(999_999_999L));
        assertEquals(-1, Processes.startTicks(0));
    }

    @Test
    void statParsingShouldSurviveSpacesAndParenthesesInTheCommand() {
        String stat = "1234 (a (b) c) d) S 1 1234 1234 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345 67 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertEquals(987654, Processes.parseStartTicks(stat));
        assertFalse(Processes.parseExited(stat));
        assertTrue(Processes.parseExited(stat.replace(") S 1", ") Z 1")));
        assertEquals(-1, Processes.parseStartTicks("garbage"));
        assertEquals(-1, Processes.parseStartTicks("1 (x) S 1"));
    }
}
