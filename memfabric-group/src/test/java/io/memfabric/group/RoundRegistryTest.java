package io.memfabric.group;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
class RoundRegistryTest {
    /** Records the rounds it is asked to abort. */
    private static final class RecordingBarrier implements RoundBarrier {
        final List<String> aborted = new ArrayList<>();

        @Override
        public RoundOutcome await(Round round, long deadlineNs) {
            return RoundOutcome.COMPLETED;
        }

        @Override
        public void abort(Round round, long abortEpoch, ErrorCode code, String reason) {
            aborted.add(round.label + " at " + abortEpoch + ": " + code + " " + reason);
        }
    }

    private final MembershipState membership = new MembershipState(new EngineContext(
            GroupOptions.builder().name("g").build(), null, 0, new CloseOnce()));
    private final RoundRegistry registry = new RoundRegistry(membership);
    private final RecordingBarrier barrier = new RecordingBarrier();

    private static List<String> labels(List<RoundRegistry.Pending> pending) {
        return pending.stream().map(p -> p.round().label).toList();
    }

    @Test
    void shouldDoomWorldRoundsOfOlderEpochsOnAnyChangeAndOthersOnlyOnRemovals() {
        Membership e3 = Membership.of(3, 0, 1);
        registry.register(() -> Round.world(e3, 0, false, "world"), barrier);
        registry.register(() -> Round.sub("k", 0, 2, false, "sub"), barrier);
        registry.register(() -> Round.ack(e3, "ack"), barrier);
        Membership joined = e3.withJoined(2);
        assertEquals(List.of("world"), labels(registry.swap(joined, false)));
        assertSame(joined, membership.current());
        assertEquals(List.of("world", "sub", "ack"), labels(registry.swap(joined.withLeft(1), true)));
    }

    @Test
    void shouldRegisterNothingWhenTheOpenerThrowsAndForgetRemovedRounds() {
        assertThrows(IllegalStateException.class, () -> registry.register(() -> {
            throw new IllegalStateException("not a member");
        }, barrier));
        RoundRegistry.Pending sub = registry.register(() -> Round.sub("k", 0, 2, false, "sub"), barrier);
        registry.remove(sub);
        assertEquals(List.of(), registry.swap(Membership.of(1), true));
    }

    @Test
    void shouldAbortEveryPendingRoundThroughItsBarrier() {
        registry.register(() -> Round.sub("a", 0, 2, false, "sub a"), barrier);
        registry.register(() -> Round.sub("b", 4, 2, true, "sub b"), barrier);
        registry.abortAll(ErrorCode.GROUP_MEMBERSHIP_CHANGED, "rank 0 closed its engine");
        assertEquals(List.of("sub a at 0: GROUP_MEMBERSHIP_CHANGED rank 0 closed its engine",
                "sub b at 0: GROUP_MEMBERSHIP_CHANGED rank 0 closed its engine"), barrier.aborted);
    }
}
