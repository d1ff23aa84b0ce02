package io.memfabric.store.server;

import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The counters: {@code INCR}, {@code DECR}, {@code INCRBY} (upstream's ADD) and {@code DECRBY}, 64-bit, on a value
 * that must be an integer by redis-server's rules, answered as redis-server 7 does. A missing key counts as 0.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class CounterCommands {
    /** Characters of the longest signed 64-bit decimal. */
    private static final int LONG_DIGITS = 20;

    private final StoreEngine engine;
    private final Keyspace keyspace;
    private final ArgumentChecks checks;

    CounterCommands(StoreEngine engine, ArgumentChecks checks) {
        this.engine = engine;
        this.keyspace = engine.keyspace();
        this.checks = checks;
    }

    /** {@code INCRBY key delta}. */
    void incrBy(ClientSession c, RespCommand command) {
        if (checks.integer(c, command.arg(2))) {
            add(c, command.arg(1), checks.value());
        }
    }

    /** {@code DECRBY key delta}: the negated delta, refused when it cannot be negated. */
    void decrBy(ClientSession c, RespCommand command) {
        if (!checks.integer(c, command.arg(2))) {
            return;
        }
        long delta = checks.value();
        if (delta == Long.MIN_VALUE) {
            c.out().writeBytes(Replies.DECR_OVERFLOW);
            return;
        }
        add(c, command.arg(1), -delta);
    }

    /** Adds {@code delta} to the counter at {@code key} and answers the result ({@code INCR} is {@code add 1}). */
    void add(ClientSession c, byte[] key, long delta) {
        if (!checks.keyOk(c, key)) {
            return;
        }
        StoreKey storeKey = new StoreKey(key);
        Keyspace.Entry entry = keyspace.get(storeKey);
        long old = 0;
        if (entry != null) {
            if (!checks.isInteger(entry.value, entry.length)) {
                c.out().writeBytes(Replies.NOT_AN_INTEGER);
                return;
            }
            old = checks.value();
        }
        if ((delta < 0 && old < 0 && delta < Long.MIN_VALUE - old)
                || (delta > 0 && old > 0 && delta > Long.MAX_VALUE - old)) {
            c.out().writeBytes(Replies.INCR_OVERFLOW);
            return;
        }
        long result = old + delta;
        RespWriter.integer(c.out(), result);
        if (entry != null) {
            // Reuse the value's array when it has room: the keyspace owns it, nothing else refers to it.
            byte[] buffer = entry.value.length >= LONG_DIGITS ? entry.value : new byte[LONG_DIGITS];
            entry.value = buffer;
            entry.length = writeDecimal(buffer, result);
        } else {
            byte[] buffer = new byte[LONG_DIGITS];
            engine.keyCreated(keyspace.create(storeKey, buffer, writeDecimal(buffer, result)));
        }
    }

    /**
     * Writes {@code value} in decimal at the start of {@code buffer} (at least 20 bytes), with the writer's one
     * decimal formatter.
     *
     * @return the length written
     */
    static int writeDecimal(byte[] buffer, long value) {
        ByteBuf digits = Unpooled.wrappedBuffer(buffer).clear();
        RespWriter.writeDecimal(digits, value);
        return digits.writerIndex();
    }
}
