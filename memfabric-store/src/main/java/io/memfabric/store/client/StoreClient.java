package io.memfabric.store.client;

import io.memfabric.common.CloseHelper;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.StoreUrl;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A client of the config store. Keys are text (sent as UTF-8); values are bytes. Every call has a deadline (the
 * client's request timeout unless the call names one, as {@link #waitFor} does) and fails with a typed exception:
 * {@link io.memfabric.error.MemFabricTimeoutException} ({@code STORE_TIMEOUT}) when the deadline passes,
 * {@link io.memfabric.error.StoreException} for an error reply or a lost connection, naming the command and key.
 *
 * <p>Errors common to every call:
 * <ul>
 *   <li>{@code STORE_TIMEOUT} ({@code MemFabricTimeoutException}): no reply by the deadline. A call made while the
 *       store is unreachable waits for the reconnect, within its deadline;</li>
 *   <li>{@code STORE_IO_ERROR}: the connection dropped while the call was in flight (the client reconnects by
 *       itself; the call was not retried, since it may or may not have taken effect);</li>
 *   <li>{@code STORE_CLIENT_CLOSED}: the client (or the view) is closed;</li>
 *   <li>{@code STORE_INVALID_KEY}: a null or empty key; {@code INVALID_PARAM}
 *       ({@link io.memfabric.error.ConfigurationException}): another bad argument;</li>
 *   <li>from the server: {@code STORE_AUTH_REQUIRED}, {@code STORE_AUTH_FAILED}, {@code STORE_WRONG_TYPE},
 *       {@code STORE_BAD_COMMAND}, {@code STORE_LIMIT_EXCEEDED}, {@code STORE_INVALID_KEY}, or {@code ERROR} for a
 *       Redis {@code ERR} without a more specific code.</li>
 * </ul>
 *
 * <p>A client may be a <em>prefixed view</em> of another ({@link #withPrefix}): every key it sends is prefixed, the
 * view shares its parent's connections, and closing the view closes nothing but the view (and releases the watches,
 * subscriptions and hooks registered through it).
 *
 * <p>Thread safety: every method may be called from any thread; calls are pipelined on shared connections. Blocking
 * waits ({@link #waitFor}) never hold up other calls. Callbacks (watches, events, reconnect hooks, and the completion
 * of {@link #waitForAsync} futures) run on one dedicated thread per root client, never on an I/O thread; a slow
 * callback delays only other callbacks. A callback may make synchronous calls, but must not block on a future of
 * {@link #waitForAsync} (that future is completed on the callback thread itself).
 *
 * <p>Values passed in must not be modified until the call returns (large values are written from the caller's array
 * without a copy). Returned arrays belong to the caller.
 */
public interface StoreClient extends AutoCloseable {

    /**
     * Connects to the store: opens the main connection (with TLS and {@code AUTH} when configured), retrying with a
     * doubling backoff until {@link StoreClientOptions#connectTimeout()}. The returned root client owns one I/O thread
     * and one callback thread; the caller closes it.
     *
     * @param options the settings
     * @return a connected root client
     * @throws io.memfabric.error.StoreException {@code STORE_IO_ERROR} naming the URL when the store cannot be
     *                                           reached in time or the TLS handshake fails (not retried);
     *                                           {@code STORE_AUTH_FAILED} or {@code STORE_AUTH_REQUIRED} for a
     *                                           wrong or missing secret (not retried)
     * @throws io.memfabric.error.ConfigurationException when the TLS files cannot be used
     */
    static StoreClient connect(StoreClientOptions options) {
        ClientConductor conductor = new ClientConductor(options);
        try {
            conductor.connect();
        } catch (RuntimeException | Error e) {
            CloseHelper.quietClose(conductor::close);
            throw e;
        }
        return conductor.root;
    }

    /**
     * Connects with the settings of {@link StoreClientOptions#builder(StoreUrl)} (system properties, environment,
     * defaults).
     *
     * @param url the store
     * @return a connected root client
     * @throws io.memfabric.error.StoreException as {@link #connect(StoreClientOptions)}
     */
    static StoreClient connect(StoreUrl url) {
        return connect(StoreClientOptions.builder(url).build());
    }

    /** The result of {@link #compareAndSet}. */
    record CasResult(boolean swapped, byte[] current) {
    }

    /** {@code SET key value}. */
    void set(String key, byte[] value);

    /** {@code GET key}: the value, or {@code null} when absent. Never blocks on the key. */
    byte[] get(String key);

    /**
     * {@code MF.WAIT key timeoutMs}: blocks until {@code key} exists and returns its value (upstream's blocking GET).
     * The wait runs on a connection of its own (from a small pool), so it holds up no other call.
     *
     * @param key     the key
     * @param timeout how long the server waits (rounded up to milliseconds, at most 24.8 days);
     *                {@link Duration#ZERO} checks once and returns {@code null} when the key is absent; {@code null}
     *                waits for the client's request timeout. The call's own deadline is the wait plus one heartbeat
     *                period, so that the server's answer, not the client's clock, normally ends the wait
     * @return the value (never null unless {@code timeout} is zero)
     * @throws io.memfabric.error.MemFabricTimeoutException {@code STORE_TIMEOUT} when the key did not appear in time
     * @throws io.memfabric.error.StoreException            {@code STORE_SHUTDOWN} when the server stops meanwhile,
     *                                                      {@code STORE_IO_ERROR} when the connection drops
     */
    byte[] waitFor(String key, Duration timeout);

    /**
     * Asynchronous {@link #waitFor}; the future fails with the same exceptions, and is completed on the callback
     * thread. Cancelling the future abandons the wait (the server still holds it until its timeout).
     *
     * @throws io.memfabric.error.StoreException {@code STORE_CLIENT_CLOSED} when the client is closed (thrown, not
     *                                           reported through the future)
     */
    CompletableFuture<byte[]> waitForAsync(String key, Duration timeout);

    /** {@code DEL key…}: the number of keys removed; at least one key. */
    long delete(String... keys);

    /** {@code EXISTS key…}: how many of the keys exist (a key named twice counts twice, as in Redis). */
    long exists(String... keys);

    /**
     * {@code INCRBY key delta} (upstream ADD): the new value; a missing key counts as 0.
     *
     * @throws io.memfabric.error.StoreException {@code STORE_WRONG_TYPE} when the value is not a 64-bit integer
     */
    long add(String key, long delta);

    /** {@code APPEND key value}: the new length of the value. */
    long append(String key, byte[] value);

    /** {@code SETRANGE key offset value} (upstream offset WRITE, zero-padding): the new length. */
    long setRange(String key, long offset, byte[] value);

    /** {@code GETRANGE key start end} (inclusive, negative counts from the end): the bytes, empty when none. */
    byte[] getRange(String key, long start, long end);

    /**
     * {@code MF.CAS key expected new}: sets {@code key} to {@code newValue} if its value equals {@code expected}.
     *
     * @param expected the expected value; empty (or null) means "create if absent"
     * @return whether it swapped, and the current value after the call (null when the key is absent)
     */
    CasResult compareAndSet(String key, byte[] expected, byte[] newValue);

    /**
     * {@code KEYS pattern} (glob, Redis rules), with this client's prefix applied to the pattern (its glob
     * characters escaped) and removed from the keys returned.
     */
    List<String> keys(String pattern);

    /**
     * {@code MF.WATCH key}: calls {@code listener} once, on the callback thread, when {@code key} is created (or at
     * once, when it already exists). The watch survives reconnects: it is registered again on the new connection (and
     * fires at once if the key exists there).
     *
     * @return the watch id for {@link #unwatch}, stable across reconnects
     */
    long watch(String key, Consumer<byte[]> listener);

    /**
     * {@code MF.UNWATCH id}: cancels a pending watch.
     *
     * @return true when the watch was pending and its listener will not be called; false for an unknown id, or a
     *         watch that fired or was cancelled already
     */
    boolean unwatch(long id);

    /**
     * {@code MF.HELLO name rank periodMs}: registers this client's identity for liveness. From then on the client
     * sends a {@code PING} whenever it has sent nothing for half a heartbeat period; if it misses three periods or
     * disconnects, the server publishes a {@code down} event. The identity is re-announced after a reconnect.
     *
     * @param name a name without blanks
     * @param rank the rank this client holds, or -1
     */
    void hello(String name, int rank);

    /**
     * {@code MF.RANK worldSize rank [NS prefix]}: takes a rank in this client's namespace (its prefix). Auto-ranking
     * ({@code rank < 0}) gives the lowest id not held by a live client; an explicit rank is granted or refused.
     *
     * <p>The server frees a rank when the connection that took it drops. After a reconnect the client asks for the
     * <em>same</em> rank again, explicitly, rather than auto-ranking anew: other ranks know this process by that rank
     * (its records, its slot in the global address space), so a different one would break them. It asks with
     * {@code RECLAIM}: a store restarted with a reclaim window ({@code memfabric.store.rank.reclaim.window}) grants
     * reclaims first and makes new clients' requests wait until the window closes, so that a new client is never
     * given a rank a reconnecting client held. If another client took the rank meanwhile, the client logs an error
     * and no longer holds it.
     *
     * @return the rank granted
     * @throws io.memfabric.error.StoreException {@code STORE_WORLD_SIZE_EXCEEDED} or {@code STORE_RANK_UNAVAILABLE}
     */
    int assignRank(int worldSize, int rank);

    /**
     * Subscribes to liveness events ({@code SUBSCRIBE mf:events}) on the push connection; {@code listener} runs on
     * the callback thread. Returns once the subscription is active. Events published while the client is reconnecting
     * are lost; the subscription itself is re-established.
     *
     * @return closing it unsubscribes
     */
    AutoCloseable subscribeEvents(Consumer<StoreEvent> listener);

    /**
     * Registers a hook that runs (on the callback thread) after every reconnect, so that a rank can re-publish its
     * own records (upstream RESTORE): a restarted store holds no keys. It runs once the connection is authenticated,
     * the identity re-announced, ranks taken back, and subscriptions and watches registered again. Hooks run in
     * registration order, one after the other; a hook that throws is logged, does not stop the others, and runs
     * again on the next reconnect, as every hook does.
     *
     * @return closing it removes the hook
     */
    AutoCloseable onReconnect(Runnable hook);

    /** @return a view whose keys are prefixed with {@code prefix} (nested views concatenate prefixes). */
    StoreClient withPrefix(String prefix);

    /** @return this client's key prefix (empty for a root client). */
    String prefix();

    /** @return the deadline of calls that name none. */
    Duration requestTimeout();

    /**
     * Closes the client: for a root client, fails every pending call with {@code STORE_CLIENT_CLOSED}, closes the
     * connections and stops (and waits for) its threads; for a view, releases only what the view registered.
     * Idempotent.
     */
    @Override
    void close();
}
