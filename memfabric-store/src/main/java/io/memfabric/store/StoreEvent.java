package io.memfabric.store;

import io.memfabric.error.ProtocolException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A liveness event, published by the server on channel {@value #CHANNEL} and readable from {@code redis-cli}
 * ({@code SUBSCRIBE mf:events}). Text form, one line of {@code key=value} words:
 * <pre>
 * up rank=3 ns=fabric1/ name=worker-3 reason=hello
 * down rank=3 ns=fabric1/ name=worker-3 reason=heartbeat
 * </pre>
 * {@code rank} is -1 for a client that holds no rank. Names and namespaces never contain blanks (the server refuses
 * them in {@code MF.HELLO} and {@code MF.RANK}).
 *
 * <p>Thread safety: immutable.
 *
 * @param kind      up (a client announced itself or took a rank) or down (it disconnected or missed heartbeats)
 * @param rank      the rank it holds, or -1
 * @param namespace the rank namespace ({@code MF.RANK ... NS ns}); empty for the default one
 * @param name      the client's name from {@code MF.HELLO}, or {@code conn-<id>} when it sent none
 * @param reason    why: {@code hello}, {@code rank}, {@code disconnect}, {@code heartbeat}, {@code shutdown}
 */
public record StoreEvent(Kind kind, int rank, String namespace, String name, String reason) {
    /** The pub/sub channel the server publishes events on. */
    public static final String CHANNEL = "mf:events";

    /** What happened. */
    public enum Kind {
        /** A client announced itself or took a rank. */
        UP,
        /** A client disconnected or missed its heartbeats; its rank is free again. */
        DOWN
    }

    /** Validates the components. */
    public StoreEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reason, "reason");
    }

    /** @return the one-line text form published on {@link #CHANNEL}. */
    public String encode() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " rank=" + rank + " ns=" + namespace + " name=" + name
                + " reason=" + reason;
    }

    /**
     * Parses the text form.
     *
     * @param text an event as published
     * @return the event
     * @throws ProtocolException when the text is not an event
     */
    public static StoreEvent parse(String text) {
        String[] words = text.trim().split(" ");
        Kind kind = switch (words[0]) {
            case "up" -> Kind.UP;
            case "down" -> Kind.DOWN;
            default -> throw new ProtocolException("not a store event: '" + text + "'");
        };
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new ProtocolException("not a store event: '" + text + "'");
            }
            fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        try {
            return new StoreEvent(kind, Integer.parseInt(fields.getOrDefault("rank", "-1")),
                    fields.getOrDefault("ns", ""), fields.getOrDefault("name", ""),
                    fields.getOrDefault("reason", ""));
        } catch (NumberFormatException e) {
            throw new ProtocolException("not a store event (bad rank): '" + text + "'");
        }
    }
}
