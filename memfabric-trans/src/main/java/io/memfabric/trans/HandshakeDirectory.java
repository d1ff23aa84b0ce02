package io.memfabric.trans;

import io.memfabric.copy.CopyEngineOptions;
import io.memfabric.copy.TargetCopies;
import io.memfabric.error.PeerLostException;
import io.memfabric.error.ProtocolException;
import io.memfabric.error.StoreException;
import io.memfabric.error.ErrorCode;

import java.util.HashMap;
import java.util.Map;

/**
 * Peers found without a store (as Mooncake's P2P handshake): a session id is the address of the peer's data listener,
 * so the engine asks that listener what it is — its {@link SessionRecord} — and checks that it is the session asked
 * for. The engine numbers the peers it meets itself (1, 2, ...; it is 0), so the copy engine's hellos name no rank.
 *
 * <p>Thread safety: {@link #resolve} from any thread (numbering is serialised).
 */
final class HandshakeDirectory implements SessionDirectory {
    private final CopyEngineOptions copyOptions;
    /** The local number given to each session met, so that a session keeps its number while this engine lives. */
    private final Map<String, Integer> numbers = new HashMap<>();
    private int next = 1;

    HandshakeDirectory(CopyEngineOptions copyOptions) {
        this.copyOptions = copyOptions;
    }

    @Override
    public SessionRecord resolve(String session) {
        byte[] description;
        try {
            description = TargetCopies.describe(SessionId.parse(session).socketAddress(), copyOptions);
        } catch (PeerLostException e) {
            return null; // nothing listens there: no engine of that session is open
        }
        SessionRecord record = SessionRecord.fromBytes(description);
        if (!record.session().equals(session)) {
            throw new ProtocolException("the engine at " + session + " says it is session " + record.session());
        }
        int number = number(session);
        return new SessionRecord(record.session(), number, record.role(), record.descriptor());
    }

    private synchronized int number(String session) {
        Integer known = numbers.get(session);
        if (known != null) {
            return known;
        }
        if (next >= StoreDirectory.MAX_ENGINES) {
            throw new StoreException(ErrorCode.STORE_WORLD_SIZE_EXCEEDED, "this engine has met "
                    + (StoreDirectory.MAX_ENGINES - 1) + " peers, the most it can number");
        }
        numbers.put(session, next);
        return next++;
    }

    @Override
    public void close() {
        // Nothing held.
    }
}
