package io.memfabric.store.client;

import io.memfabric.store.StoreEvent;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A client of the config store. Keys are text (sent as UTF-8); values are bytes. Every call has a deadline (the
 * client's default request timeout unless the call names one) and fails with a typed exception:
 * {@link io.memfabric.error.MemFabricTimeoutException} ({@code STORE_TIMEOUT}) when the deadline passes,
 * {@link io.memfabric.error.StoreException} for an error reply or a lost connection, naming the command and key.
 *
 * <p>A client may be a <em>prefixed view</em> of another ({@link #withPrefix}): every key it sends is prefixed, the
 * view shares its parent's connections, and closing the view closes nothing but the view.
 *
 * <p>Thread safety: every method may be called from any thread; calls are pipelined on shared connections. Blocking
 * waits ({@link #waitFor}) never hold up other calls. Callbacks (watches, events, reconnect hooks) run on one
 * dedicated thread per root client, never on an I/O thread; a slow callback delays only other callbacks.
 */
public interface StoreClient extends AutoCloseable {

    /** The result of {@link #compareAndSet}. */
    record CasResult(boolean swapped, byte[] current) {
    }

    /** {@code SET key value}. */
    void set(String key, byte[] value);

    /** {@code GET key}: the value, or {@code null} when absent. Never blocks on the key. */
    byte[] get(String key);

    /**
     * {@code MF.WAIT key timeoutMs}: blocks until {@code key} exists and returns its value (upstream's blocking GET).
     *
     * @param key     the key
     * @param timeout how long the server waits; {@link Duration#ZERO} checks once and returns {@code null} when the
     *                key is absent; {@code null} waits forever
     * @return the value (never null unless {@code timeout} is zero)
     * @throws io.memfabric.error.MemFabricTimeoutException {@code STORE_TIMEOUT} when the key did not appear in time
     * @throws io.memfabric.error.StoreException            {@code STORE_SHUTDOWN} when the server stops meanwhile
     */
    byte[] waitFor(String key, Duration timeout);

    /** Asynchronous {@link #waitFor}; the future fails with the same exceptions. */
    CompletableFuture<byte[]> waitForAsync(String key, Duration timeout);

    /** {@code DEL key…}: the number of keys removed. */
    long delete(String... keys);

    /** {@code EXISTS key…}: how many of the keys exist (a key named twice counts twice, as in Redis). */
    long exists(String... keys);

    /** {@code INCRBY key delta} (upstream ADD): the new value; a missing key counts as 0. */
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
     * @return whether it swapped, and the current value after the call
     */
    CasResult compareAndSet(String key, byte[] expected, byte[] newValue);

    /** {@code KEYS pattern} (glob, Redis rules), with this client's prefix applied to the pattern and removed again. */
    List<String> keys(String pattern);

    /**
     * {@code MF.WATCH key}: calls {@code listener} once, on the callback thread, when {@code key} is created (or at
     * once, when it already exists).
     *
     * @return the watch id for {@link #unwatch}
     */
    long watch(String key, Consumer<byte[]> listener);

    /** {@code MF.UNWATCH id}: whether a pending watch was cancelled (false for an unknown or fired id). */
    boolean unwatch(long id);

    /**
     * {@code MF.HELLO name [rank]}: registers this client's identity for liveness. From then on the client sends a
     * heartbeat every period; if it misses three periods or disconnects, the server publishes a {@code down} event.
     * The identity is re-announced after a reconnect.
     *
     * @param name a name without blanks
     * @param rank the rank this client holds, or -1
     */
    void hello(String name, int rank);

    /**
     * {@code MF.RANK worldSize [rank] NS prefix}: takes a rank in this client's namespace (its prefix). Auto-ranking
     * ({@code rank < 0}) gives the lowest id not held by a live client; an explicit rank is granted or refused.
     *
     * @return the rank granted
     * @throws io.memfabric.error.StoreException {@code STORE_WORLD_SIZE_EXCEEDED} or {@code STORE_RANK_UNAVAILABLE}
     */
    int assignRank(int worldSize, int rank);

    /**
     * Subscribes to liveness events ({@code SUBSCRIBE mf:events}) on a dedicated connection; {@code listener} runs on
     * the callback thread.
     *
     * @return closing it unsubscribes
     */
    AutoCloseable subscribeEvents(Consumer<StoreEvent> listener);

    /**
     * Registers a hook that runs (on the callback thread) after every reconnect, so that a rank can re-publish its
     * own records (upstream RESTORE).
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

    /** Closes connections and threads (for a root client) or only the view; idempotent. */
    @Override
    void close();
}
