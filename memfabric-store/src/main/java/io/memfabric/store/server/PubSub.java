package io.memfabric.store.server;

import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * RESP2 publish/subscribe: channel and pattern subscriptions, and delivery of {@code message}/{@code pmessage} pushes.
 * The server's own liveness events go through {@link #publish(StoreKey, byte[])}. Channels that begin with
 * {@value #SERVER_CHANNEL_PREFIX} (any case) belong to the server: a client's {@code PUBLISH} there is refused with
 * {@code -NOPERM} (redis-server's kind word for a channel a user may not use), since a forged
 * {@code down rank=1} on {@code mf:events} would make the group evict a live rank.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class PubSub {
    /**
     * A subscriber with more unsent output than this is closed rather than buffered without bound: redis-server's
     * default {@code client-output-buffer-limit pubsub} hard limit (32 MiB).
     */
    static final long MAX_PENDING_OUTPUT_BYTES = 32L << 20;
    /** The prefix of the server's own channels ({@code mf:events}); clients may subscribe, not publish. */
    static final String SERVER_CHANNEL_PREFIX = "mf:";
    private static final Logger LOG = LoggerFactory.getLogger(PubSub.class);
    private static final byte[] MESSAGE = bulkBytes("message");
    private static final byte[] PMESSAGE = bulkBytes("pmessage");
    private static final byte[] SUBSCRIBE = bulkBytes("subscribe");
    private static final byte[] UNSUBSCRIBE = bulkBytes("unsubscribe");
    private static final byte[] PSUBSCRIBE = bulkBytes("psubscribe");
    private static final byte[] PUNSUBSCRIBE = bulkBytes("punsubscribe");

    private final HashMap<StoreKey, LinkedHashSet<ClientSession>> channels = new HashMap<>();
    private final HashMap<StoreKey, LinkedHashSet<ClientSession>> patterns = new HashMap<>();

    private static byte[] bulkBytes(String text) {
        return ("$" + text.length() + "\r\n" + text + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code PUBLISH channel message}: delivers it and answers the number of deliveries, unless it is the server's. */
    void publish(ClientSession publisher, byte[] channel, byte[] message) {
        if (isServerChannel(channel)) {
            ArgumentChecks.error(publisher, "NOPERM clients may not publish on channel '"
                    + ArgumentChecks.printable(channel) + "': " + SERVER_CHANNEL_PREFIX
                    + "* channels are reserved for the store server");
            return;
        }
        RespWriter.integer(publisher.out(), publish(new StoreKey(channel), message));
    }

    private static boolean isServerChannel(byte[] channel) {
        if (channel.length < SERVER_CHANNEL_PREFIX.length()) {
            return false;
        }
        for (int i = 0; i < SERVER_CHANNEL_PREFIX.length(); i++) {
            if (Character.toLowerCase(channel[i]) != SERVER_CHANNEL_PREFIX.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@code SUBSCRIBE}: subscribes and answers one {@code subscribe} push per channel. */
    void subscribe(ClientSession connection, List<StoreKey> names) {
        for (StoreKey name : names) {
            if (connection.channels().add(name)) {
                channels.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(connection);
            }
            confirm(connection, SUBSCRIBE, name);
        }
    }

    /** {@code PSUBSCRIBE}: subscribes to patterns and answers one {@code psubscribe} push per pattern. */
    void psubscribe(ClientSession connection, List<StoreKey> names) {
        for (StoreKey name : names) {
            if (connection.patterns().add(name)) {
                patterns.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(connection);
            }
            confirm(connection, PSUBSCRIBE, name);
        }
    }

    /** {@code UNSUBSCRIBE [channel...]}: none named means all; answers one push per channel (a nil one if none). */
    void unsubscribe(ClientSession connection, List<StoreKey> names) {
        unsubscribe(connection, names, connection.channels(), channels, UNSUBSCRIBE);
    }

    /** {@code PUNSUBSCRIBE [pattern...]}. */
    void punsubscribe(ClientSession connection, List<StoreKey> names) {
        unsubscribe(connection, names, connection.patterns(), patterns, PUNSUBSCRIBE);
    }

    private void unsubscribe(ClientSession connection, List<StoreKey> names, LinkedHashSet<StoreKey> own,
                             Map<StoreKey, LinkedHashSet<ClientSession>> registry, byte[] kind) {
        List<StoreKey> targets = names.isEmpty() ? new ArrayList<>(own) : names;
        if (targets.isEmpty()) {
            confirm(connection, kind, null);
            return;
        }
        for (StoreKey name : targets) {
            if (own.remove(name)) {
                removeFrom(registry, name, connection);
            }
            confirm(connection, kind, name);
        }
    }

    private static void removeFrom(Map<StoreKey, LinkedHashSet<ClientSession>> registry, StoreKey name,
                                   ClientSession connection) {
        LinkedHashSet<ClientSession> set = registry.get(name);
        if (set != null) {
            set.remove(connection);
            if (set.isEmpty()) {
                registry.remove(name);
            }
        }
    }

    /** Forgets every subscription of a closed connection, without answering. */
    void dropAll(ClientSession connection) {
        for (StoreKey name : connection.channels()) {
            removeFrom(channels, name, connection);
        }
        for (StoreKey name : connection.patterns()) {
            removeFrom(patterns, name, connection);
        }
        connection.channels().clear();
        connection.patterns().clear();
    }

    private static void confirm(ClientSession connection, byte[] kind, StoreKey name) {
        ByteBuf out = connection.out();
        RespWriter.arrayHeader(out, 3);
        out.writeBytes(kind);
        RespWriter.bulk(out, name == null ? null : name.bytes());
        RespWriter.integer(out, connection.subscriptionCount());
    }

    /**
     * Delivers {@code message} to the subscribers of {@code channel} and of every matching pattern.
     *
     * @return the number of deliveries (redis-server's {@code PUBLISH} reply)
     */
    int publish(StoreKey channel, byte[] message) {
        int receivers = 0;
        LinkedHashSet<ClientSession> subscribers = channels.get(channel);
        if (subscribers != null) {
            for (ClientSession subscriber : subscribers) {
                if (overflowing(subscriber)) {
                    continue;
                }
                ByteBuf out = subscriber.out();
                RespWriter.arrayHeader(out, 3);
                out.writeBytes(MESSAGE);
                RespWriter.bulk(out, channel.bytes());
                subscriber.bulk(message, 0, message.length);
                subscriber.flushIfIdle();
                receivers++;
            }
        }
        if (!patterns.isEmpty()) {
            for (Map.Entry<StoreKey, LinkedHashSet<ClientSession>> e : patterns.entrySet()) {
                if (!Glob.matches(e.getKey().bytes(), channel.bytes())) {
                    continue;
                }
                for (ClientSession subscriber : e.getValue()) {
                    if (overflowing(subscriber)) {
                        continue;
                    }
                    ByteBuf out = subscriber.out();
                    RespWriter.arrayHeader(out, 4);
                    out.writeBytes(PMESSAGE);
                    RespWriter.bulk(out, e.getKey().bytes());
                    RespWriter.bulk(out, channel.bytes());
                    subscriber.bulk(message, 0, message.length);
                    subscriber.flushIfIdle();
                    receivers++;
                }
            }
        }
        return receivers;
    }

    /** Closes a subscriber that does not read its messages (its subscriptions go when its channel closes). */
    private static boolean overflowing(ClientSession subscriber) {
        long pending = subscriber.pendingOutputBytes();
        if (pending <= MAX_PENDING_OUTPUT_BYTES) {
            return false;
        }
        LOG.warn("store client {} does not read its messages ({} bytes unsent, limit {}): closing", subscriber
                .remoteAddress(), pending, MAX_PENDING_OUTPUT_BYTES);
        subscriber.close();
        return true;
    }
}
