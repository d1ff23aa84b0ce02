package io.memfabric.store.server;

import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.memfabric.store.server.ArgumentChecks.equalsIgnoreCase;

/**
 * The commands over keys as such: {@code DEL}, {@code EXISTS}, {@code DBSIZE}, and the inspection commands
 * {@code KEYS} and {@code SCAN}, answered as redis-server 7 does.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class KeyCommands {
    /** {@link #parseCursor} result for text strtoul refuses. */
    static final long INVALID_CURSOR = -1;
    /** {@link #parseCursor} result for a cursor beyond any slot (the scan is over). */
    static final long CURSOR_END = Long.MAX_VALUE;

    private final Keyspace keyspace;
    private final ArgumentChecks checks;

    KeyCommands(Keyspace keyspace, ArgumentChecks checks) {
        this.keyspace = keyspace;
        this.checks = checks;
    }

    void del(ClientSession c, RespCommand command) {
        if (!checks.keysOk(c, command, 1)) {
            return;
        }
        int removed = 0;
        for (int i = 1; i < command.size(); i++) {
            if (keyspace.remove(new StoreKey(command.arg(i)))) {
                removed++;
            }
        }
        RespWriter.integer(c.out(), removed);
    }

    void exists(ClientSession c, RespCommand command) {
        if (!checks.keysOk(c, command, 1)) {
            return;
        }
        int found = 0;
        for (int i = 1; i < command.size(); i++) {
            if (keyspace.get(new StoreKey(command.arg(i))) != null) {
                found++;
            }
        }
        RespWriter.integer(c.out(), found);
    }

    void dbsize(ClientSession c) {
        RespWriter.integer(c.out(), keyspace.size());
    }

    void keys(ClientSession c, RespCommand command) {
        byte[] pattern = command.arg(1);
        boolean all = Glob.matchesAll(pattern);
        List<byte[]> matched = new ArrayList<>();
        keyspace.forEach(entry -> {
            if (all || Glob.matches(pattern, entry.key.bytes())) {
                matched.add(entry.key.bytes());
            }
        });
        writeKeys(c.out(), matched);
    }

    /** {@code SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]}: options parsed as redis-server 7 does. */
    void scan(ClientSession c, RespCommand command) {
        long cursor = parseCursor(command.arg(1));
        if (cursor == INVALID_CURSOR) {
            c.out().writeBytes(Replies.INVALID_CURSOR);
            return;
        }
        long count = 10;
        byte[] pattern = null;
        boolean typeMatches = true;
        int i = 2;
        while (i < command.size()) {
            int left = command.size() - i;
            byte[] option = command.arg(i);
            if (equalsIgnoreCase(option, "COUNT") && left >= 2) {
                if (!checks.integer(c, command.arg(i + 1))) {
                    return;
                }
                count = checks.value();
                if (count < 1) {
                    c.out().writeBytes(Replies.SYNTAX_ERROR);
                    return;
                }
                i += 2;
            } else if (equalsIgnoreCase(option, "MATCH") && left >= 2) {
                pattern = command.arg(i + 1);
                i += 2;
            } else if (equalsIgnoreCase(option, "TYPE") && left >= 2) {
                typeMatches = equalsIgnoreCase(command.arg(i + 1), "STRING");
                i += 2;
            } else {
                c.out().writeBytes(Replies.SYNTAX_ERROR);
                return;
            }
        }
        byte[] matchPattern = pattern == null || Glob.matchesAll(pattern) ? null : pattern;
        boolean keep = typeMatches;
        List<byte[]> found = new ArrayList<>();
        long next = keyspace.scan(cursor == CURSOR_END ? -1 : cursor, (int) Math.min(count, 1 << 20),
                entry -> {
                    if (keep && (matchPattern == null || Glob.matches(matchPattern, entry.key.bytes()))) {
                        found.add(entry.key.bytes());
                    }
                });
        ByteBuf out = c.out();
        RespWriter.arrayHeader(out, 2);
        RespWriter.bulk(out, Long.toString(next).getBytes(StandardCharsets.US_ASCII));
        writeKeys(out, found);
    }

    private static void writeKeys(ByteBuf out, List<byte[]> keys) {
        RespWriter.arrayHeader(out, keys.size());
        for (byte[] key : keys) {
            RespWriter.bulk(out, key);
        }
    }

    /**
     * Parses a {@code SCAN} cursor as redis-server does ({@code strtoul}, base 10: optional sign, digits; a negative
     * value wraps; empty text is 0). Unsigned and wrapping, so not a job for the store's signed number parser.
     *
     * @return the cursor, {@link #CURSOR_END} for one beyond {@code Long.MAX_VALUE - 1}, or {@link #INVALID_CURSOR}
     */
    static long parseCursor(byte[] s) {
        if (s.length == 0) {
            return 0;
        }
        int i = 0;
        if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) {
            return INVALID_CURSOR;
        }
        boolean negative = false;
        if (s[0] == '+' || s[0] == '-') {
            negative = s[0] == '-';
            i = 1;
        }
        if (i == s.length) {
            return INVALID_CURSOR;
        }
        long value = 0;
        for (; i < s.length; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) {
                return INVALID_CURSOR;
            }
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - d, 10)) > 0) {
                return INVALID_CURSOR;
            }
            value = value * 10 + d;
        }
        if (negative) {
            value = -value;
        }
        return value < 0 || value == Long.MAX_VALUE ? CURSOR_END : value;
    }
}
