package io.memfabric.store.client;

/**
 * Writes requests to the store's connections (Aeron's {@code DriverProxy} role): the requests of one flush go into
 * one batch per connection, encoded into one buffer and flushed once; a request that must go out now (a handshake,
 * a heartbeat, a blocking wait, an unwatch) is written and flushed at once, after any batch open for the same
 * connection, so that the order of replies stays the order of writes.
 *
 * <p>Thread safety: event loop only; its writers are reused for every flush.
 */
final class StoreProxy {
    private final CommandWriter mainBatch = new CommandWriter();
    private final CommandWriter pushBatch = new CommandWriter();
    private final CommandWriter direct = new CommandWriter();

    /** Adds {@code request} to the current batch of {@code connection} (main or push); sent by {@link #flush()}. */
    void batch(StoreConnection connection, Request request) {
        CommandWriter batch = connection.role == StoreConnection.Role.PUSH ? pushBatch : mainBatch;
        if (!batch.isOpenFor(connection.channel)) {
            batch.finish();
            batch.begin(connection.channel);
        }
        request.encode(batch);
        connection.written(request, System.nanoTime());
    }

    /** Writes and flushes the batches. */
    void flush() {
        mainBatch.finish();
        pushBatch.finish();
    }

    /** Writes {@code request} to {@code connection} and flushes it now. */
    void send(StoreConnection connection, Request request) {
        finishBatchOf(connection);
        direct.begin(connection.channel);
        request.encode(direct);
        connection.written(request, System.nanoTime());
        direct.finish();
    }

    /** Writes every request of {@code requests} that is not done yet to {@code connection}, flushing once. */
    void sendAll(StoreConnection connection, Iterable<Request> requests) {
        finishBatchOf(connection);
        direct.begin(connection.channel);
        long now = System.nanoTime();
        for (Request request : requests) {
            if (!request.isDone()) {
                request.encode(direct);
                connection.written(request, now);
            }
        }
        direct.finish();
    }

    private void finishBatchOf(StoreConnection connection) {
        if (mainBatch.isOpenFor(connection.channel)) {
            mainBatch.finish();
        } else if (pushBatch.isOpenFor(connection.channel)) {
            pushBatch.finish();
        }
    }
}
