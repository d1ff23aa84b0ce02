package io.memfabric.group;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreEvent;
import io.memfabric.store.client.StoreClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A store in one JVM with the semantics of the config store that the group engine relies on (values, counters,
 * MF.WAIT, MF.CAS, ranks per namespace, liveness events), for fast, deterministic unit tests.
 *
 * <p>Thread safety: all state is guarded by this object's monitor.
 */
final class InMemoryStore implements AutoCloseable {
    private final Map<String, byte[]> data = new HashMap<>();
    private final Map<String, List<CompletableFuture<byte[]>>> waiters = new HashMap<>();
    private final Map<String, Map<Integer, Client>> ranks = new HashMap<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "in-memory-store-timer");
        t.setDaemon(true);
        return t;
    });

    private record Subscription(Client client, Consumer<StoreEvent> listener) {
    }

    /** @return a new root client. */
    Client connect() {
        return new Client(this, null, "");
    }

    /** @return a snapshot of every key. */
    synchronized List<String> allKeys() {
        return new ArrayList<>(data.keySet());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private synchronized void put(String key, byte[] value) {
        data.put(key, value);
        List<CompletableFuture<byte[]>> list = waiters.remove(key);
        if (list != null) {
            for (CompletableFuture<byte[]> f : list) {
                f.complete(value);
            }
        }
    }

    private synchronized CompletableFuture<byte[]> waitFor(String key, Duration timeout) {
        byte[] value = data.get(key);
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (value != null || (timeout != null && timeout.isZero())) {
            f.complete(value);
            return f;
        }
        waiters.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        if (timeout != null) {
            timer.schedule(() -> f.completeExceptionally(new MemFabricTimeoutException(ErrorCode.STORE_TIMEOUT,
                    "MF.WAIT key=" + key + " after " + timeout.toMillis() + " ms")), timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return f;
    }

    private void disconnect(Client root) {
        List<StoreEvent> events = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<String, Map<Integer, Client>> ns : ranks.entrySet()) {
                ns.getValue().entrySet().removeIf(e -> {
                    if (e.getValue() == root) {
                        events.add(new StoreEvent(StoreEvent.Kind.DOWN, e.getKey(), ns.getKey(),
                                root.helloName == null ? "conn" : root.helloName, "disconnect"));
                        return true;
                    }
                    return false;
                });
            }
            subscriptions.removeIf(s -> s.client == root);
        }
        publish(events);
    }

    private void publish(List<StoreEvent> events) {
        List<Subscription> subs;
        synchronized (this) {
            subs = new ArrayList<>(subscriptions);
        }
        for (StoreEvent event : events) {
            for (Subscription s : subs) {
                s.client.callbacks.execute(() -> s.listener.accept(event));
            }
        }
    }

    /** A root client or a prefixed view. Closing a root client is a disconnect: its ranks go down. */
    static final class Client implements StoreClient {
        private final InMemoryStore store;
        private final Client root;
        private final String prefix;
        private final ExecutorService callbacks;
        private final AtomicLong watchIds = new AtomicLong();
        private volatile boolean closed;
        private volatile String helloName;

        private Client(InMemoryStore store, Client root, String prefix) {
            this.store = store;
            this.root = root == null ? this : root;
            this.prefix = prefix;
            this.callbacks = root == null ? Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "in-memory-store-callback");
                t.setDaemon(true);
                return t;
            }) : root.callbacks;
        }

        private String k(String key) {
            check();
            return prefix + key;
        }

        private void check() {
            if (root.closed) {
                throw new StoreException(ErrorCode.STORE_CLIENT_CLOSED, "client closed");
            }
        }

        @Override
        public void set(String key, byte[] value) {
            store.put(k(key), value.clone());
        }

        @Override
        public byte[] get(String key) {
            synchronized (store) {
                byte[] v = store.data.get(k(key));
                return v == null ? null : v.clone();
            }
        }

        @Override
        public byte[] waitFor(String key, Duration timeout) {
            try {
                return waitForAsync(key, timeout).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw (RuntimeException) e.getCause();
            }
        }

        @Override
        public CompletableFuture<byte[]> waitForAsync(String key, Duration timeout) {
            CompletableFuture<byte[]> f = store.waitFor(k(key), timeout);
            CompletableFuture<byte[]> out = new CompletableFuture<>();
            f.whenComplete((v, e) -> {
                if (root.closed) {
                    out.completeExceptionally(new StoreException(ErrorCode.STORE_CLIENT_CLOSED, "client closed"));
                } else if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(v == null ? null : v.clone());
                }
            });
            return out;
        }

        @Override
        public long delete(String... keys) {
            synchronized (store) {
                long n = 0;
                for (String key : keys) {
                    n += store.data.remove(k(key)) != null ? 1 : 0;
                }
                return n;
            }
        }

        @Override
        public long exists(String... keys) {
            synchronized (store) {
                long n = 0;
                for (String key : keys) {
                    n += store.data.containsKey(k(key)) ? 1 : 0;
                }
                return n;
            }
        }

        @Override
        public long add(String key, long delta) {
            synchronized (store) {
                byte[] v = store.data.get(k(key));
                long next = (v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII))) + delta;
                store.put(k(key), Long.toString(next).getBytes(StandardCharsets.US_ASCII));
                return next;
            }
        }

        @Override
        public long append(String key, byte[] value) {
            synchronized (store) {
                byte[] v = store.data.get(k(key));
                byte[] next = v == null ? value.clone() : concat(v, value);
                store.put(k(key), next);
                return next.length;
            }
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        @Override
        public long setRange(String key, long offset, byte[] value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] getRange(String key, long start, long end) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CasResult compareAndSet(String key, byte[] expected, byte[] newValue) {
            synchronized (store) {
                byte[] v = store.data.get(k(key));
                boolean create = expected == null || expected.length == 0;
                boolean swap = create ? v == null : v != null && Arrays.equals(v, expected);
                if (swap) {
                    store.put(k(key), newValue.clone());
                    return new CasResult(true, newValue.clone());
                }
                return new CasResult(false, v == null ? null : v.clone());
            }
        }

        @Override
        public List<String> keys(String pattern) {
            Pattern glob = Pattern.compile(Pattern.quote(prefix + pattern).replace("*", "\\E.*\\Q"));
            synchronized (store) {
                List<String> out = new ArrayList<>();
                for (String key : store.data.keySet()) {
                    if (glob.matcher(key).matches()) {
                        out.add(key.substring(prefix.length()));
                    }
                }
                return out;
            }
        }

        @Override
        public long watch(String key, Consumer<byte[]> listener) {
            waitForAsync(key, null).thenAccept(v -> callbacks.execute(() -> listener.accept(v)));
            return watchIds.incrementAndGet();
        }

        @Override
        public boolean unwatch(long id) {
            return false;
        }

        @Override
        public void hello(String name, int rank) {
            check();
            root.helloName = name;
        }

        @Override
        public int assignRank(int worldSize, int rank) {
            check();
            synchronized (store) {
                Map<Integer, Client> held = store.ranks.computeIfAbsent(prefix, p -> new HashMap<>());
                if (rank >= 0) {
                    if (rank >= worldSize || held.containsKey(rank)) {
                        throw new StoreException(ErrorCode.STORE_RANK_UNAVAILABLE, "rank " + rank);
                    }
                    held.put(rank, root);
                    return rank;
                }
                for (int r = 0; r < worldSize; r++) {
                    if (!held.containsKey(r)) {
                        held.put(r, root);
                        return r;
                    }
                }
                throw new StoreException(ErrorCode.STORE_WORLD_SIZE_EXCEEDED, "world size " + worldSize);
            }
        }

        @Override
        public AutoCloseable subscribeEvents(Consumer<StoreEvent> listener) {
            check();
            Subscription s = new Subscription(root, listener);
            synchronized (store) {
                store.subscriptions.add(s);
            }
            return () -> {
                synchronized (store) {
                    store.subscriptions.remove(s);
                }
            };
        }

        @Override
        public AutoCloseable onReconnect(Runnable hook) {
            return () -> { };
        }

        @Override
        public StoreClient withPrefix(String more) {
            return new Client(store, root, prefix + more);
        }

        @Override
        public String prefix() {
            return prefix;
        }

        @Override
        public Duration requestTimeout() {
            return Duration.ofSeconds(30);
        }

        @Override
        public void close() {
            if (root != this || closed) {
                return;
            }
            closed = true;
            store.disconnect(this);
            callbacks.shutdown();
        }
    }
}
