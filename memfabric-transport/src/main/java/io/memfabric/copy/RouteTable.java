package io.memfabric.copy;

import io.memfabric.memory.SlotDescriptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one place that picks a route to a peer and says why (after Mooncake's {@code selectTransport}). Routes are
 * tried in the configured order (upstream's data-op / tag table, {@link CopyEngineOptions#routes()}), or only the
 * forced one; each is kept when it can work for this peer:
 * <ul>
 *   <li>{@link Route#SHM}: same host id, and the peer offers slots in shared-memory files;</li>
 *   <li>{@link Route#CMA}: same host id, the kernel allows {@code process_vm_readv/writev} (probed at start), and the
 *       peer published the addresses of its slots;</li>
 *   <li>{@link Route#TCP}: always (every rank runs a data listener).</li>
 * </ul>
 * The first usable route is chosen; the others stay as fallbacks, in order, for when a route fails at run time
 * (a mapping that cannot be made, cma refused for one process).
 *
 * <p>Thread safety: immutable.
 */
public final class RouteTable {
    private final List<Route> preference;
    private final Route forced;
    private final String localHostId;
    private final boolean cmaUsable;
    private final String cmaReason;

    /**
     * A route choice for one peer.
     *
     * @param candidates the usable routes in order of preference; empty when none can work (only when forced)
     * @param reason     why the first candidate, and why not each other route
     */
    public record Choice(List<Route> candidates, String reason) {
        /** Copies the list. */
        public Choice {
            candidates = List.copyOf(candidates);
            Objects.requireNonNull(reason, "reason");
        }

        /** @return the chosen route, or {@code null} when none can work. */
        public Route route() {
            return candidates.isEmpty() ? null : candidates.get(0);
        }
    }

    /**
     * @param preference  routes in order of preference
     * @param forced      the one route to use, or {@code null}
     * @param localHostId this rank's host id
     * @param cmaUsable   whether the kernel allows cma here ({@code CrossMemoryAttach.probe()})
     * @param cmaReason   the probe's reason, quoted when cma is not usable
     */
    public RouteTable(List<Route> preference, Route forced, String localHostId, boolean cmaUsable, String cmaReason) {
        this.preference = List.copyOf(preference);
        this.forced = forced;
        this.localHostId = Objects.requireNonNull(localHostId, "localHostId");
        this.cmaUsable = cmaUsable;
        this.cmaReason = Objects.requireNonNull(cmaReason, "cmaReason");
    }

    /**
     * @param peer the peer's descriptor
     * @return the usable routes, in order, and why
     */
    public Choice choose(PeerDescriptor peer) {
        List<Route> order = forced != null ? List.of(forced) : preference;
        List<Route> usable = new ArrayList<>(3);
        StringBuilder excluded = new StringBuilder();
        for (Route route : order) {
            String whyNot = whyNot(route, peer);
            if (whyNot == null) {
                usable.add(route);
            } else {
                excluded.append("; not ").append(route.wireName()).append(": ").append(whyNot);
            }
        }
        for (Route route : Route.values()) {
            if (!order.contains(route)) {
                excluded.append("; not ").append(route.wireName()).append(": ")
                        .append(forced != null ? "route " + forced.wireName() + " is forced" : "not in routes "
                                + names(preference));
            }
        }
        StringBuilder reason = new StringBuilder();
        if (usable.isEmpty()) {
            reason.append("no usable route to rank ").append(peer.rank());
        } else {
            Route chosen = usable.get(0);
            reason.append(chosen.wireName()).append(forced != null ? " (forced)" : "").append(": ")
                    .append(whyUsable(chosen, peer));
            if (usable.size() > 1) {
                reason.append("; fallbacks ").append(names(usable.subList(1, usable.size())));
            }
        }
        reason.append(excluded);
        return new Choice(usable, reason.toString());
    }

    /** @return the reason of the own rank's route: its own memory, one {@code MemorySegment.copy}. */
    public static String ownRankReason() {
        return "shm: own memory, one MemorySegment.copy";
    }

    private String whyNot(Route route, PeerDescriptor peer) {
        boolean sameHost = localHostId.equals(peer.hostId());
        String otherHost = "rank " + peer.rank() + " is on host " + peer.hostId() + ", this rank on " + localHostId;
        return switch (route) {
            case SHM -> {
                if (!sameHost) {
                    yield otherHost;
                }
                if (peer.slots().isEmpty()) {
                    yield "rank " + peer.rank() + " offers no slot";
                }
                for (SlotDescriptor slot : peer.slots()) {
                    if (!slot.isSharedMemory()) {
                        yield "its " + slot.type() + " slot has backing " + slot.backing() + ", not shm";
                    }
                }
                yield null;
            }
            case CMA -> {
                if (!sameHost) {
                    yield otherHost;
                }
                if (!cmaUsable) {
                    yield "the kernel forbids it here: " + cmaReason;
                }
                if (peer.slots().isEmpty()) {
                    yield "rank " + peer.rank() + " offers no slot";
                }
                for (Long address : peer.slotAddresses()) {
                    if (address == 0) {
                        yield "rank " + peer.rank() + " publishes no slot address";
                    }
                }
                yield null;
            }
            case TCP -> null;
        };
    }

    private String whyUsable(Route route, PeerDescriptor peer) {
        return switch (route) {
            case SHM -> "same host " + localHostId + ", slots mapped, one MemorySegment.copy";
            case CMA -> "same host " + localHostId + ", process_vm_readv/writev to pid " + peer.pid();
            case TCP -> "data listener " + peer.dataAddress()
                    + (localHostId.equals(peer.hostId()) ? "" : " (host " + peer.hostId() + ")");
        };
    }

    private static String names(List<Route> routes) {
        StringBuilder text = new StringBuilder();
        for (Route route : routes) {
            text.append(text.isEmpty() ? "" : ",").append(route.wireName());
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "RouteTable{preference=" + names(preference) + (forced != null ? ", forced=" + forced.wireName() : "")
                + ", host=" + localHostId + ", cma=" + (cmaUsable ? "usable" : "unusable") + "}";
    }
}
