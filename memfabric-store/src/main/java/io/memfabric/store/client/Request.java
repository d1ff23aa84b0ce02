package io.memfabric.store.client;

import io.memfabric.error.ProtocolException;
import io.memfabric.store.protocol.RespMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One command on its way to the store and back: what to send (encoded on the event loop by {@link #encode}), its
 * deadline, and the future its caller waits on. It is its own future, so that a call allocates one object besides the
 * arguments; integer replies go to {@link #longResult} instead of a boxed {@code Long}.
 *
 * <p>Thread safety: created by the calling thread, then handed to the event loop through a concurrent queue (which
 * publishes it); from then on only the event loop touches the mutable fields, and completion publishes
 * {@link #longResult} to the caller ({@code CompletableFuture} completion happens-before a successful {@code get}).
 */
final class Request extends CompletableFuture<Object> {
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] NS = "NS".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECLAIM = "RECLAIM".getBytes(StandardCharsets.US_ASCII);

    final Op op;
    /** Supplies the key prefix and names the client in messages. */
    final RespStoreClient view;
    /** The key without prefix; the pattern of KEYS; the name of HELLO; the channel of (UN)SUBSCRIBE. */
    final String key;
    /** The keys of DEL and EXISTS. */
    final String[] keys;
    /** The value of SET, APPEND, SETRANGE; the new value of CAS; the secret of AUTH. */
    final byte[] value;
    /** The expected value of CAS. */
    final byte[] expected;
    /** The first number: wait ms, delta, offset, start, world size, watch id, hello rank. */
    final long arg1;
    /** The second number: end, rank, heartbeat ms. */
    final long arg2;
    final long timeoutNs;
    final long deadlineNs;

    /** When the event loop wrote it (System.nanoTime), for the liveness check. Event loop only. */
    long writtenAtNs;
    /** The result of an integer reply; read by the caller after completion. */
    long longResult;
    /** What the request acts on besides its arguments: the {@link Watch} of MF.WATCH, the held rank it restores. */
    Object attachment;
    /** Whether the client sends it by itself after a reconnect (re-announce, re-register), not for a caller. */
    boolean restore;

    Request(Op op, RespStoreClient view, String key, String[] keys, byte[] value, byte[] expected, long arg1,
            long arg2, long timeoutNs, long nowNs) {
        this.op = op;
        this.view = view;
        this.key = key;
        this.keys = keys;
        this.value = value;
        this.expected = expected;
        this.arg1 = arg1;
        this.arg2 = arg2;
        this.timeoutNs = timeoutNs;
        this.deadlineNs = nowNs + timeoutNs;
    }

    static Request of(Op op, RespStoreClient view, String key, long timeoutNs) {
        return new Request(op, view, key, null, null, null, 0, 0, timeoutNs, System.nanoTime());
    }

    static Request withValue(Op op, RespStoreClient view, String key, byte[] value, long arg1, long timeoutNs) {
        return new Request(op, view, key, null, value, null, arg1, 0, timeoutNs, System.nanoTime());
    }

    static Request withNumbers(Op op, RespStoreClient view, String key, long arg1, long arg2, long timeoutNs) {
        return new Request(op, view, key, null, null, null, arg1, arg2, timeoutNs, System.nanoTime());
    }

    /** Fails every request of {@code requests} that is not done yet with {@code failure}, emptying the queue. */
    static void failAll(Queue<Request> requests, Function<Request, ? extends Throwable> failure) {
        Request request;
        while ((request = requests.poll()) != null) {
            if (!request.isDone()) {
                request.completeExceptionally(failure.apply(request));
            }
        }
    }

    /** Writes the command. */
    void encode(CommandWriter w) {
        byte[] prefix = view.prefixBytes;
        switch (op) {
            case PING -> {
                w.arrayHeader(1);
                w.bulk(op.wireBytes);
            }
            case AUTH -> {
                w.arrayHeader(2);
                w.bulk(op.wireBytes);
                w.bulk(value);
            }
            case SET, APPEND -> {
                w.arrayHeader(3);
                w.bulk(op.wireBytes);
                w.key(prefix, key);
                w.bulk(value);
            }
            case GET, WATCH -> {
                w.arrayHeader(2);
                w.bulk(op.wireBytes);
                w.key(prefix, key);
            }
            case WAIT, WAIT_ONCE, INCRBY -> {
                w.arrayHeader(3);
                w.bulk(op.wireBytes);
                w.key(prefix, key);
                w.number(arg1);
            }
            case DEL, EXISTS -> {
                w.arrayHeader(1 + keys.length);
                w.bulk(op.wireBytes);
                for (String k : keys) {
                    w.key(prefix, k);
                }
            }
            case SETRANGE -> {
                w.arrayHeader(4);
                w.bulk(op.wireBytes);
                w.key(prefix, key);
                w.number(arg1);
                w.bulk(value);
            }
            case GETRANGE -> {
                w.arrayHeader(4);
                w.bulk(op.wireBytes);
                w.key(prefix, key);
                w.number(arg1);
                w.number(arg2);
            }
            case CAS -> {
                w.arrayHeader(4);
                w.bulk(op.wireBytes);
                w.key(prefix, key);
                w.bulk(expected);
                w.bulk(value);
            }
            case KEYS -> {
                w.arrayHeader(2);
                w.bulk(op.wireBytes);
                w.key(view.globPrefixBytes, key);
            }
            case HELLO -> {
                w.arrayHeader(4);
                w.bulk(op.wireBytes);
                w.key(EMPTY, key);
                w.number(arg1);
                w.number(arg2);
            }
            case RANK -> {
                w.arrayHeader((prefix.length == 0 ? 3 : 5) + (restore ? 1 : 0));
                w.bulk(op.wireBytes);
                w.number(arg1);
                w.number(arg2);
                if (prefix.length != 0) {
                    w.bulk(NS);
                    w.bulk(prefix);
                }
                if (restore) {
                    w.bulk(RECLAIM); // the rank held before a reconnect: granted first after a store restart
                }
            }
            case UNWATCH -> {
                w.arrayHeader(2);
                w.bulk(op.wireBytes);
                w.number(arg1);
            }
            case SUBSCRIBE, UNSUBSCRIBE -> {
                w.arrayHeader(2);
                w.bulk(op.wireBytes);
                w.key(EMPTY, key);
            }
        }
        w.endCommand();
    }

    /**
     * Completes this request with the server's reply: a value, or the typed exception of an error reply.
     *
     * @param reply the reply matched to this request
     * @param url   the store, for messages
     */
    void onReply(RespMessage reply, Object url) {
        if (reply instanceof RespMessage.Error error) {
            completeExceptionally(StoreErrors.fromReply(this, error.text(), url));
            return;
        }
        switch (op) {
            case PING, SUBSCRIBE, UNSUBSCRIBE -> complete(null);
            case AUTH, SET, HELLO -> {
                if (reply instanceof RespMessage.SimpleString) {
                    complete(null);
                    return;
                }
            }
            case GET, WAIT, WAIT_ONCE -> {
                if (reply instanceof RespMessage.Bulk bulk) {
                    complete(bulk.bytes());
                    return;
                }
            }
            case GETRANGE -> {
                if (reply instanceof RespMessage.Bulk bulk) {
                    complete(bulk.isNull() ? EMPTY : bulk.bytes());
                    return;
                }
            }
            case DEL, EXISTS, INCRBY, APPEND, SETRANGE, RANK, WATCH, UNWATCH -> {
                if (reply instanceof RespMessage.Integer integer) {
                    longResult = integer.value();
                    complete(null);
                    return;
                }
            }
            case CAS -> {
                if (reply instanceof RespMessage.Array array && !array.isNull() && array.elements().size() == 2
                        && array.elements().get(0) instanceof RespMessage.Integer swapped
                        && array.elements().get(1) instanceof RespMessage.Bulk current) {
                    complete(new StoreClient.CasResult(swapped.value() == 1, current.bytes()));
                    return;
                }
            }
            case KEYS -> {
                if (reply instanceof RespMessage.Array array) {
                    List<String> stripped = stripPrefix(array);
                    if (stripped != null) {
                        complete(stripped);
                        return;
                    }
                }
            }
        }
        if (!isDone()) {
            completeExceptionally(new ProtocolException(describe() + ": unexpected reply " + kindOf(reply)
                    + " from " + url));
        }
    }

    private List<String> stripPrefix(RespMessage.Array array) {
        if (array.isNull()) {
            return List.of();
        }
        int strip = view.prefixBytes.length;
        List<String> result = new ArrayList<>(array.elements().size());
        for (RespMessage element : array.elements()) {
            if (!(element instanceof RespMessage.Bulk bulk) || bulk.isNull() || bulk.bytes().length < strip) {
                return null;
            }
            result.add(new String(bulk.bytes(), strip, bulk.bytes().length - strip, StandardCharsets.UTF_8));
        }
        return result;
    }

    private static String kindOf(RespMessage reply) {
        return switch (reply) {
            case RespMessage.SimpleString s -> "simple string '" + abbreviate(s.text()) + "'";
            case RespMessage.Error e -> "error '" + abbreviate(e.text()) + "'";
            case RespMessage.Integer i -> "integer " + i.value();
            case RespMessage.Bulk b -> b.isNull() ? "null bulk string" : "bulk string of " + b.bytes().length
                    + " bytes";
            case RespMessage.Array a -> a.isNull() ? "null array" : "array of " + a.elements().size();
        };
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    /** @return the key as the server sees it, prefix included. */
    String fullKey() {
        return view.prefix() + key;
    }

    /** @return the command and its key or argument, for messages; never the secret of AUTH. */
    String describe() {
        return switch (op) {
            case PING, AUTH -> op.wireName;
            case DEL, EXISTS -> {
                String[] full = new String[keys.length];
                for (int i = 0; i < keys.length; i++) {
                    full[i] = view.prefix() + keys[i];
                }
                yield op.wireName + " keys=" + Arrays.toString(full);
            }
            case KEYS -> op.wireName + " pattern=" + view.prefix() + key;
            case HELLO -> op.wireName + " name=" + key + " rank=" + arg1;
            case RANK -> op.wireName + " worldSize=" + arg1 + " rank=" + arg2 + " ns=" + view.prefix();
            case UNWATCH -> op.wireName + " id=" + arg1;
            case SUBSCRIBE, UNSUBSCRIBE -> op.wireName + " channel=" + key;
            default -> op.wireName + " key=" + fullKey();
        };
    }

    @Override
    public String toString() {
        return describe();
    }
}
