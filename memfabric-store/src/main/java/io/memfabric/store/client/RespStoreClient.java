package io.memfabric.store.client;

import io.memfabric.common.CloseOnce;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreEvent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The RESP2 implementation of {@link StoreClient}: a root client (which owns a {@link ClientConductor}: the event loop,
 * the connections, the callback thread) or a prefixed view of one (which owns nothing but its prefix and what it
 * registered).
 *
 * <p>Every call encodes nothing on the calling thread: it builds one {@link Request} (the key stays a {@code String}
 * until the event loop writes it as UTF-8 straight into the socket buffer, after the view's prefix bytes, which are
 * encoded once per view), hands it to the event loop and waits for it.
 *
 * <p>Thread safety: safe from any thread.
 */
final class RespStoreClient implements StoreClient {
    /** The longest wait, 2^31-1 ms (24.8 days): longer is surely a mistake, and deadlines stay far from overflow. */
    static final Duration MAX_WAIT = Duration.ofMillis(Integer.MAX_VALUE);
    private static final byte[] EMPTY = new byte[0];

    final ClientConductor core;
    final byte[] prefixBytes;
    /** The prefix with glob characters escaped, for KEYS patterns. */
    final byte[] globPrefixBytes;
    private final String prefix;
    private final boolean root;
    /** What this client (root or view) registered; released when it closes. */
    private final Set<Registration> registrations = ConcurrentHashMap.newKeySet();
    private final CloseOnce closed = new CloseOnce();

    RespStoreClient(ClientConductor core, String prefix, boolean root) {
        this.core = core;
        this.prefix = prefix;
        this.root = root;
        this.prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        this.globPrefixBytes = escapeGlob(prefix).getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- key-value

    @Override
    public void set(String key, byte[] value) {
        requireKey(Op.SET, key);
        requireValue(Op.SET, key, "value", value);
        call(Request.withValue(Op.SET, this, key, value, 0, core.requestTimeoutNs));
    }

    @Override
    public byte[] get(String key) {
        requireKey(Op.GET, key);
        return (byte[]) call(Request.of(Op.GET, this, key, core.requestTimeoutNs));
    }

    @Override
    public byte[] waitFor(String key, Duration timeout) {
        Request request = waitRequest(key, timeout);
        return (byte[]) call(request);
    }

    @Override
    public CompletableFuture<byte[]> waitForAsync(String key, Duration timeout) {
        Request request = waitRequest(key, timeout);
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        request.whenCompleteAsync((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(StoreErrors.asRuntime(failure));
            } else {
                result.complete((byte[]) value);
            }
        }, core.threads.callbackExecutor());
        result.whenComplete((value, failure) -> {
            if (result.isCancelled()) {
                request.cancel(false);
            }
        });
        checkOpen(request);
        core.submit(request);
        return result;
    }

    private Request waitRequest(String key, Duration timeout) {
        requireKey(Op.WAIT, key);
        if (timeout != null && (timeout.isNegative() || timeout.compareTo(MAX_WAIT) > 0)) {
            throw new ConfigurationException("MF.WAIT key=" + prefix + key + " timeout=" + timeout
                    + " (expected: 0 .. " + MAX_WAIT + ", or null for the request timeout)");
        }
        if (timeout != null && timeout.isZero()) {
            return Request.withNumbers(Op.WAIT_ONCE, this, key, 0, 0, core.requestTimeoutNs);
        }
        long waitNs = timeout == null ? core.requestTimeoutNs : timeout.toNanos();
        long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNs + 999_999));
        // The server answers at waitMs; the client waits one heartbeat period longer for that answer before it
        // declares the connection dead, so that the server's typed STORE_TIMEOUT is what the caller normally sees.
        long deadlineNs = TimeUnit.MILLISECONDS.toNanos(waitMs) + core.heartbeatNs;
        return Request.withNumbers(Op.WAIT, this, key, waitMs, 0, deadlineNs);
    }

    @Override
    public long delete(String... keys) {
        requireKeys(Op.DEL, keys);
        Request request = new Request(Op.DEL, this, null, keys, null, null, 0, 0, core.requestTimeoutNs,
                System.nanoTime());
        call(request);
        return request.longResult;
    }

    @Override
    public long exists(String... keys) {
        requireKeys(Op.EXISTS, keys);
        Request request = new Request(Op.EXISTS, this, null, keys, null, null, 0, 0, core.requestTimeoutNs,
                System.nanoTime());
        call(request);
        return request.longResult;
    }

    @Override
    public long add(String key, long delta) {
        requireKey(Op.INCRBY, key);
        Request request = Request.withNumbers(Op.INCRBY, this, key, delta, 0, core.requestTimeoutNs);
        call(request);
        return request.longResult;
    }

    @Override
    public long append(String key, byte[] value) {
        requireKey(Op.APPEND, key);
        requireValue(Op.APPEND, key, "value", value);
        Request request = Request.withValue(Op.APPEND, this, key, value, 0, core.requestTimeoutNs);
        call(request);
        return request.longResult;
    }

    @Override
    public long setRange(String key, long offset, byte[] value) {
        requireKey(Op.SETRANGE, key);
        requireValue(Op.SETRANGE, key, "value", value);
        if (offset < 0) {
            throw new ConfigurationException("SETRANGE key=" + prefix + key + " offset=" + offset
                    + " (expected: >= 0)");
        }
        Request request = Request.withValue(Op.SETRANGE, this, key, value, offset, core.requestTimeoutNs);
        call(request);
        return request.longResult;
    }

    @Override
    public byte[] getRange(String key, long start, long end) {
        requireKey(Op.GETRANGE, key);
        return (byte[]) call(Request.withNumbers(Op.GETRANGE, this, key, start, end, core.requestTimeoutNs));
    }

    @Override
    public CasResult compareAndSet(String key, byte[] expected, byte[] newValue) {
        requireKey(Op.CAS, key);
        requireValue(Op.CAS, key, "newValue", newValue);
        Request request = new Request(Op.CAS, this, key, null, newValue, expected == null ? EMPTY : expected, 0, 0,
                core.requestTimeoutNs, System.nanoTime());
        return (CasResult) call(request);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<String> keys(String pattern) {
        if (pattern == null) {
            throw new ConfigurationException("KEYS pattern=null (expected: a glob pattern, e.g. *)");
        }
        return (List<String>) call(Request.of(Op.KEYS, this, pattern, core.requestTimeoutNs));
    }

    // ---------------------------------------------------------------- watches and events

    @Override
    public long watch(String key, Consumer<byte[]> listener) {
        requireKey(Op.WATCH, key);
        Objects.requireNonNull(listener, "listener");
        Request request = Request.of(Op.WATCH, this, key, core.requestTimeoutNs);
        checkOpen(request);
        Watch watch = core.watches.newWatch(this, key, listener);
        registrations.add(watch);
        request.attachment = watch;
        try {
            call(request);
        } catch (RuntimeException e) {
            core.watches.cancel(watch);
            throw e;
        }
        return watch.id;
    }

    @Override
    public boolean unwatch(long id) {
        if (closed.isClosed() || core.isClosed()) {
            throw StoreErrors.closed("MF.UNWATCH id=" + id, core.url);
        }
        Watch watch = core.watches.watch(id);
        return watch != null && core.watches.cancel(watch);
    }

    @Override
    public void hello(String name, int rank) {
        if (name == null || name.isEmpty() || name.chars().anyMatch(c -> c <= ' ')) {
            throw new ConfigurationException("MF.HELLO name='" + name + "' (expected: a non-empty name without "
                    + "blanks or control characters)");
        }
        if (rank < -1) {
            throw new ConfigurationException("MF.HELLO name=" + name + " rank=" + rank + " (expected: >= -1)");
        }
        call(Request.withNumbers(Op.HELLO, this, name, rank, TimeUnit.NANOSECONDS.toMillis(core.heartbeatNs),
                core.requestTimeoutNs));
    }

    @Override
    public int assignRank(int worldSize, int rank) {
        if (worldSize < 1) {
            throw new ConfigurationException("MF.RANK worldSize=" + worldSize + " (expected: >= 1)");
        }
        if (rank >= worldSize) {
            throw new ConfigurationException("MF.RANK worldSize=" + worldSize + " rank=" + rank
                    + " (expected: < worldSize, or < 0 for auto)");
        }
        Request request = Request.withNumbers(Op.RANK, this, null, worldSize, Math.max(rank, -1),
                core.requestTimeoutNs);
        call(request);
        return (int) request.longResult;
    }

    @Override
    public AutoCloseable subscribeEvents(Consumer<StoreEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen("SUBSCRIBE " + StoreEvent.CHANNEL);
        Registration subscription = core.watches.subscribeEvents(this, listener);
        registrations.add(subscription);
        if (closed.isClosed()) {
            subscription.release();
        }
        return subscription;
    }

    @Override
    public AutoCloseable onReconnect(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        checkOpen("onReconnect");
        Registration registration = core.hooks.add(this, hook);
        registrations.add(registration);
        return registration;
    }

    /** Drops a registration that ended by itself (a watch that fired, a subscription closed by its owner). */
    void forget(Registration registration) {
        registrations.remove(registration);
    }

    // ---------------------------------------------------------------- views and lifecycle

    @Override
    public StoreClient withPrefix(String prefix) {
        if (prefix == null) {
            throw new ConfigurationException("withPrefix prefix=null (expected: a string, may be empty)");
        }
        checkOpen("withPrefix");
        return new RespStoreClient(core, this.prefix + prefix, false);
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public Duration requestTimeout() {
        return Duration.ofNanos(core.requestTimeoutNs);
    }

    @Override
    public void close() {
        if (!closed.begin()) {
            return;
        }
        for (Registration registration : registrations) {
            registration.release();
        }
        registrations.clear();
        if (root) {
            core.close();
        }
    }

    @Override
    public String toString() {
        return "StoreClient{" + core.url + (prefix.isEmpty() ? "" : ", prefix=" + prefix) + "}";
    }

    // ---------------------------------------------------------------- helpers

    private Object call(Request request) {
        checkOpen(request);
        core.submit(request);
        return core.await(request);
    }

    private void checkOpen(Request request) {
        if (closed.isClosed()) {
            throw StoreErrors.closed(request.describe(), core.url);
        }
    }

    private void checkOpen(String what) {
        if (closed.isClosed() || core.isClosed()) {
            throw StoreErrors.closed(what, core.url);
        }
    }

    private void requireKey(Op op, String key) {
        if (key == null || key.isEmpty()) {
            throw new StoreException(ErrorCode.STORE_INVALID_KEY, op.wireName + " key='" + (key == null ? "null"
                    : "") + "' (expected: a non-empty key)");
        }
    }

    private void requireKeys(Op op, String[] keys) {
        if (keys == null || keys.length == 0) {
            throw new ConfigurationException(op.wireName + " keys=[] (expected: at least one key)");
        }
        for (String key : keys) {
            requireKey(op, key);
        }
    }

    private void requireValue(Op op, String key, String name, byte[] value) {
        if (value == null) {
            throw new ConfigurationException(op.wireName + " key=" + prefix + key + " " + name
                    + "=null (expected: bytes, may be empty)");
        }
    }

    /** Escapes the glob characters of Redis's {@code KEYS} ({@code * ? [ ] \}) so that a prefix matches itself. */
    static String escapeGlob(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                sb.append('\\');
            }
            if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }
}
