package io.memfabric.store.client;

import io.memfabric.store.StoreUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * Who this client is to the store: the last {@code MF.HELLO} it sent and the ranks {@code MF.RANK} granted it (per
 * key-prefix namespace). Both live on the main connection and die with it on the server, so a new main connection
 * restores them ({@link #addRestoreRequests}): the same {@code MF.HELLO}, and an explicit
 * {@code MF.RANK worldSize rank NS ns RECLAIM} for every rank held, because peers know this client by its rank
 * (upstream's RESTORE); {@code RECLAIM} lets a restarted store grant it before any new client's request.
 *
 * <p>Thread safety: event loop only.
 */
final class ClientIdentity implements ConnectionOpener.Replay {
    private static final Logger LOG = LoggerFactory.getLogger(ClientIdentity.class);

    private final StoreUrl url;
    private final RespStoreClient root;
    private final long heartbeatNs;
    private String helloName;
    private long helloRank;
    private boolean helloSet;
    private final List<HeldRank> ranks = new ArrayList<>();

    /** A rank this client holds, re-requested explicitly after a reconnect. */
    private record HeldRank(RespStoreClient view, long worldSize, int rank) {
    }

    ClientIdentity(StoreUrl url, RespStoreClient root, long heartbeatNs) {
        this.url = url;
        this.root = root;
        this.heartbeatNs = heartbeatNs;
    }

    @Override
    public void addRestoreRequests(List<Request> requests, long timeoutNs) {
        if (helloSet) {
            Request hello = Request.withNumbers(Op.HELLO, root, helloName, helloRank,
                    NANOSECONDS.toMillis(heartbeatNs), timeoutNs);
            hello.restore = true;
            requests.add(hello);
        }
        for (HeldRank held : ranks) {
            Request rank = Request.withNumbers(Op.RANK, held.view(), null, held.worldSize(), held.rank(), timeoutNs);
            rank.restore = true;
            rank.attachment = held;
            requests.add(rank);
        }
    }

    /** Records the identity an {@code MF.HELLO} announced, or reports a restore that failed. */
    void onHelloReply(Request request) {
        if (!request.isCompletedExceptionally()) {
            helloName = request.key;
            helloRank = request.arg1;
            helloSet = true;
        } else if (request.restore) {
            LOG.warn("store {}: re-announcing {} after reconnect failed: {}", url, request.describe(),
                    request.exceptionNow().getMessage());
        }
    }

    /** Records a granted rank, or forgets one that could not be taken back after a reconnect. */
    void onRankReply(Request request) {
        if (request.restore) {
            if (request.isCompletedExceptionally()) {
                LOG.error("store {}: rank {} (ns '{}') could not be taken back after reconnect: {}", url,
                        request.arg2, request.view.prefix(), request.exceptionNow().getMessage());
                ranks.remove((HeldRank) request.attachment);
            }
            return;
        }
        if (!request.isCompletedExceptionally()) {
            int granted = (int) request.longResult;
            ranks.removeIf(h -> h.view().prefix().equals(request.view.prefix()) && h.rank() == granted);
            ranks.add(new HeldRank(request.view, request.arg1, granted));
        }
    }
}
