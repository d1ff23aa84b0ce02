package io.memfabric.trans;

/**
 * Where an engine finds its peers by session id: the config store's records ({@link StoreDirectory}), or, without a
 * store, a handshake with the peer's own listener ({@link HandshakeDirectory}).
 *
 * <p>Thread safety: {@link #resolve} from any thread.
 */
interface SessionDirectory extends AutoCloseable {
    /**
     * @param session a canonical session id (not this engine's)
     * @return the open engine's record, its rank as this engine numbers it; or {@code null} when no engine of that
     *         session is open
     */
    SessionRecord resolve(String session);

    /** Stops; no resolution after. */
    @Override
    void close();
}
