package io.memfabric.store.client;

import java.nio.charset.StandardCharsets;

/**
 * The commands the client sends, each with its wire name (encoded once) and the connection it travels on.
 *
 * <p>Thread safety: immutable.
 */
enum Op {
    PING("PING", Route.MAIN),
    AUTH("AUTH", Route.MAIN),
    SET("SET", Route.MAIN),
    GET("GET", Route.MAIN),
    /** {@code MF.WAIT key 0}: checks once, never blocks, so it is pipelined on the main connection. */
    WAIT_ONCE("MF.WAIT", Route.MAIN),
    /** {@code MF.WAIT key ms}: blocks its connection, so it gets a connection of its own. */
    WAIT("MF.WAIT", Route.BLOCKING),
    DEL("DEL", Route.MAIN),
    EXISTS("EXISTS", Route.MAIN),
    INCRBY("INCRBY", Route.MAIN),
    APPEND("APPEND", Route.MAIN),
    SETRANGE("SETRANGE", Route.MAIN),
    GETRANGE("GETRANGE", Route.MAIN),
    CAS("MF.CAS", Route.MAIN),
    KEYS("KEYS", Route.MAIN),
    HELLO("MF.HELLO", Route.MAIN),
    RANK("MF.RANK", Route.MAIN),
    WATCH("MF.WATCH", Route.PUSH),
    UNWATCH("MF.UNWATCH", Route.PUSH),
    SUBSCRIBE("SUBSCRIBE", Route.PUSH),
    UNSUBSCRIBE("UNSUBSCRIBE", Route.PUSH);

    /** Which connection a command travels on. */
    enum Route {
        /** The pipelined main connection. */
        MAIN,
        /** A connection of the blocking pool, one wait at a time. */
        BLOCKING,
        /** The push connection: watches and subscriptions. */
        PUSH
    }

    final String wireName;
    final byte[] wireBytes;
    final Route route;

    Op(String wireName, Route route) {
        this.wireName = wireName;
        this.wireBytes = wireName.getBytes(StandardCharsets.US_ASCII);
        this.route = route;
    }
}
