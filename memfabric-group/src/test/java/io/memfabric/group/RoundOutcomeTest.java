package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class RoundOutcomeTest {

    @Test
    void shouldWriteAndReadTheReleaseValues() {
        assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), RoundOutcome.COMPLETED.toRelease());
        assertSame(RoundOutcome.COMPLETED, RoundOutcome.ofRelease(RoundOutcome.COMPLETED.toRelease()));
        RoundOutcome aborted = RoundOutcome.aborted(9, ErrorCode.GROUP_MEMBERSHIP_CHANGED, "rank 2 failed (epoch 9)");
        assertEquals("abort 9 GROUP_MEMBERSHIP_CHANGED rank 2 failed (epoch 9)",
                new String(aborted.toRelease(), StandardCharsets.UTF_8));
        RoundOutcome read = RoundOutcome.ofRelease(aborted.toRelease());
        assertEquals(aborted, read);
        assertFalse(read.isCompleted());
    }

    @Test
    void shouldReadAMalformedAbortAsAnErrorWithTheWholeValueAsReason() {
        RoundOutcome read = RoundOutcome.ofRelease("abort x".getBytes(StandardCharsets.UTF_8));
        assertEquals(new RoundOutcome(0, ErrorCode.ERROR, "abort x"), read);
        assertEquals(0, RoundOutcome.ofRelease("no".getBytes(StandardCharsets.UTF_8)).abortEpoch());
    }

    @Test
    void shouldThrowATimeoutExceptionForATimedOutRound() {
        MemFabricException timedOut = RoundOutcome.aborted(0, ErrorCode.TIMEOUT, "rank 1 timed out after 500 ms")
                .toException("barrier round w2_0 of group g");
        assertInstanceOf(MemFabricTimeoutException.class, timedOut);
        assertEquals("barrier round w2_0 of group g aborted: rank 1 timed out after 500 ms", timedOut.getMessage());
        MemFabricException changed = RoundOutcome.aborted(4, ErrorCode.GROUP_MEMBERSHIP_CHANGED, "rank 2 left")
                .toException("r");
        assertEquals(ErrorCode.GROUP_MEMBERSHIP_CHANGED, changed.code());
        assertTrue(changed.getMessage().endsWith("aborted: rank 2 left"), changed.getMessage());
    }
}
