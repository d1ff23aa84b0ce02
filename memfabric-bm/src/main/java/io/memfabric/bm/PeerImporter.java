package io.memfabric.bm;

import io.memfabric.copy.CopyEngine;
import io.memfabric.copy.PeerDescriptor;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.group.Membership;
import io.memfabric.group.MembershipEvent;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies the group's membership events to this rank's copy engine, on the group's callback thread (one event at a
 * time, in epoch order): imports a joining peer (reads its {@link PeerRecord} from the store, checks its strides, and
 * adds its descriptor, decoded once, to the engine), removes a leaving or failed one, acknowledges each change to the
 * rank that made it ({@code ack/<epoch>/<rank>}, see {@link JoinProtocol}), and has a failed same-host peer's slot
 * files removed ({@link SlotFileReaper}). The copy engine's {@link io.memfabric.copy.PeerView} is the only record of
 * who is reachable: copies check against it; this class keeps no second one.
 *
 * <p>Thread safety: {@link #onEvent} runs on the group's callback thread only; {@link MemberState} carries what it
 * applied to the waiting threads.
 */
final class PeerImporter {
    private static final Logger LOG = LoggerFactory.getLogger(PeerImporter.class);

    private final String label;
    private final int rank;
    private final CreateOptions createOptions;
    private final StoreClient keys;
    private final CopyEngine engine;
    private final MemberState state;
    private final SlotFileReaper reaper;
    private final SpaceLifecycle lifecycle;
    /** Peers imported into the engine, with what they published: the callback thread only. */
    private final Map<Integer, PeerDescriptor> imported = new HashMap<>();

    PeerImporter(SpaceLifecycle lifecycle, int rank, CreateOptions createOptions, StoreClient keys, CopyEngine engine,
                 MemberState state, SlotFileReaper reaper) {
        this.lifecycle = lifecycle;
        this.label = lifecycle.label();
        this.rank = rank;
        this.createOptions = createOptions;
        this.keys = keys;
        this.engine = engine;
        this.state = state;
        this.reaper = reaper;
    }

    /** The group's membership listener. Never throws: a failure is logged and the event still counts as applied. */
    void onEvent(MembershipEvent event) {
        try {
            apply(event);
        } catch (RuntimeException e) {
            if (!lifecycle.isClosed()) {
                LOG.warn("{}: applying {} failed", label, event, e);
            }
        } finally {
            state.applied(event.epoch());
        }
    }

    private void apply(MembershipEvent event) {
        int who = event.rank();
        Membership m = event.membership();
        long epoch = event.epoch();
        boolean member = state.isMember();
        switch (event.kind()) {
            case JOINED -> {
                if (who == rank) {
                    selfJoined(epoch, m);
                } else if (member && m.contains(rank)) {
                    MemFabricException error = importPeer(who);
                    state.membersChanged(m);
                    acknowledge(epoch, error);
                }
            }
            case LEFT -> {
                if (who == rank) {
                    selfDeparted(epoch, m, false);
                } else if (member) {
                    removePeer(who, "left");
                    state.membersChanged(m);
                    if (m.contains(rank)) {
                        acknowledge(epoch, null);
                    }
                }
            }
            case FAILED -> {
                if (who == rank) {
                    if (member) {
                        LOG.warn("{}: this rank was reported failed by the store (epoch {}) and is no longer a "
                                + "member; join() again", label, epoch);
                    }
                    selfDeparted(epoch, m, true);
                } else {
                    PeerDescriptor lost = imported.get(who);
                    if (lost != null) {
                        removePeer(who, "failed");
                        reaper.reap(lost);
                    }
                    if (member) {
                        state.membersChanged(m);
                    }
                }
            }
            default -> throw new IllegalStateException("kind=" + event.kind());
        }
    }

    private void selfJoined(long epoch, Membership m) {
        List<MemFabricException> errors = new ArrayList<>();
        for (int peer : m.ranks()) {
            if (peer != rank) {
                MemFabricException error = importPeer(peer);
                if (error != null) {
                    errors.add(error);
                }
            }
        }
        state.selfJoined(epoch, m, errors);
    }

    private void selfDeparted(long epoch, Membership m, boolean failure) {
        for (Integer peer : new ArrayList<>(imported.keySet())) {
            removePeer(peer, "this rank " + (failure ? "was removed" : "left"));
        }
        state.selfDeparted(epoch, m, failure);
    }

    /**
     * Imports one peer. Never throws: a peer that cannot be imported stays unreachable (copies to it fail with
     * {@code PEER_UNAVAILABLE}), and the reason goes back to the joiner in the ack.
     *
     * @return null when the peer is imported, or why not
     */
    private MemFabricException importPeer(int peer) {
        try {
            importOrThrow(peer);
            return null;
        } catch (MemFabricException e) {
            LOG.warn("{}: cannot import rank {}: {}", label, peer, e.getMessage());
            return new MemFabricException(e.code(), "rank " + rank + " cannot import rank " + peer + ": "
                    + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot import rank {}", label, peer, e);
            return new MemFabricException(ErrorCode.PEER_UNAVAILABLE, "rank " + rank + " cannot import rank " + peer
                    + ": " + e);
        }
    }

    private void importOrThrow(int peer) {
        byte[] raw = keys.get(BmKeys.peer(peer));
        if (raw == null) {
            throw new MemFabricException(ErrorCode.OBJECT_NOT_EXISTS, "no peer record of rank " + peer + " ("
                    + BmKeys.peer(peer) + " is missing)");
        }
        PeerRecord record = PeerRecord.fromBytes(raw);
        if (record.maxHostSize() != createOptions.maxHostSize()
                || record.maxDeviceSize() != createOptions.maxDeviceSize()) {
            throw new MemFabricException(ErrorCode.INVALID_PARAM, "rank " + peer + " has maxHostSize="
                    + record.maxHostSize() + " maxDeviceSize=" + record.maxDeviceSize() + ", rank " + rank
                    + " has maxHostSize=" + createOptions.maxHostSize() + " maxDeviceSize="
                    + createOptions.maxDeviceSize() + " (expected: the same strides on every rank)");
        }
        PeerDescriptor descriptor = record.descriptor();
        if (descriptor.rank() != peer) {
            throw new MemFabricException(ErrorCode.PROTOCOL_ERROR, "the peer record of rank " + peer
                    + " describes rank " + descriptor.rank());
        }
        if (imported.containsKey(peer)) {
            removePeer(peer, "imported again");
        }
        // One write in the engine publishes the peer and its slot sizes together.
        engine.addPeer(descriptor);
        imported.put(peer, descriptor);
        LOG.debug("{}: imported rank {} ({})", label, peer, engine.routeReason(peer));
    }

    private void removePeer(int peer, String why) {
        if (imported.remove(peer) != null) {
            try {
                engine.removePeer(peer);
                LOG.debug("{}: removed rank {} ({})", label, peer, why);
            } catch (RuntimeException e) {
                LOG.warn("{}: removing rank {} ({}) from the data plane failed", label, peer, why, e);
            }
        }
    }

    private void acknowledge(long epoch, MemFabricException error) {
        keys.set(BmKeys.ack(epoch, rank), BmKeys.ackValue(error));
    }
}
