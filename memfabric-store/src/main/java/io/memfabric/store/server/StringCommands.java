package io.memfabric.store.server;

import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespWriter;

import java.util.Arrays;

import static io.memfabric.store.server.ArgumentChecks.equalsIgnoreCase;

/**
 * The string commands: {@code GET}, {@code SET}, {@code APPEND}, {@code SETRANGE}, {@code GETRANGE} and
 * {@code STRLEN}, answered as redis-server 7 does. A command that creates a key tells the engine, which releases the
 * key's waiters and fires its watches.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class StringCommands {
    private final StoreEngine engine;
    private final Keyspace keyspace;
    private final ArgumentChecks checks;
    private final long maxValueBytes;

    StringCommands(StoreEngine engine, ArgumentChecks checks) {
        this.engine = engine;
        this.keyspace = engine.keyspace();
        this.checks = checks;
        this.maxValueBytes = engine.options().maxValueBytes();
    }

    void get(ClientSession c, RespCommand command) {
        byte[] key = command.arg(1);
        if (checks.keyOk(c, key)) {
            writeValue(c, keyspace.get(new StoreKey(key)));
        }
    }

    /** Answers an entry's value, or the null bulk string when there is none. */
    static void writeValue(ClientSession c, Keyspace.Entry entry) {
        if (entry == null) {
            c.out().writeBytes(Replies.NULL_BULK);
        } else {
            c.bulk(entry.value, 0, entry.length);
        }
    }

    /** {@code SET key value [NX|XX] [GET] [KEEPTTL]}; expiry options are refused, as keys never expire here. */
    void set(ClientSession c, RespCommand command) {
        byte[] key = command.arg(1);
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        for (int i = 3; i < command.size(); i++) {
            byte[] option = command.arg(i);
            if (equalsIgnoreCase(option, "NX") && !xx) {
                nx = true;
            } else if (equalsIgnoreCase(option, "XX") && !nx) {
                xx = true;
            } else if (equalsIgnoreCase(option, "GET")) {
                get = true;
            } else if (equalsIgnoreCase(option, "KEEPTTL")) {
                continue;
            } else if (equalsIgnoreCase(option, "EX") || equalsIgnoreCase(option, "PX")
                    || equalsIgnoreCase(option, "EXAT") || equalsIgnoreCase(option, "PXAT")) {
                ArgumentChecks.error(c, "ERR SET option '" + ArgumentChecks.printable(option) + "' is not supported: "
                        + "keys of the memfabric store do not expire");
                return;
            } else {
                c.out().writeBytes(Replies.SYNTAX_ERROR);
                return;
            }
        }
        if (!checks.keyOk(c, key)) {
            return;
        }
        StoreKey storeKey = new StoreKey(key);
        byte[] value = command.arg(2);
        Keyspace.Entry entry = keyspace.get(storeKey);
        if ((nx && entry != null) || (xx && entry == null)) {
            if (get) {
                writeValue(c, entry);
            } else {
                c.out().writeBytes(Replies.NULL_BULK);
            }
            return;
        }
        if (get) {
            writeValue(c, entry);
        } else {
            c.out().writeBytes(Replies.OK);
        }
        engine.store(storeKey, entry, value);
    }

    void append(ClientSession c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!checks.keyOk(c, key)) {
            return;
        }
        byte[] tail = command.arg(2);
        StoreKey storeKey = new StoreKey(key);
        Keyspace.Entry entry = keyspace.get(storeKey);
        if (entry == null) {
            RespWriter.integer(c.out(), tail.length);
            engine.keyCreated(keyspace.create(storeKey, tail, tail.length));
            return;
        }
        if (tooLong(entry.length, tail.length)) {
            c.out().writeBytes(Replies.STRING_TOO_LONG);
            return;
        }
        int newLength = entry.length + tail.length;
        ensureCapacity(entry, newLength);
        System.arraycopy(tail, 0, entry.value, entry.length, tail.length);
        entry.length = newLength;
        RespWriter.integer(c.out(), newLength);
    }

    /** redis-server's {@code checkStringLength}, with the store's value limit as {@code proto-max-bulk-len}. */
    private boolean tooLong(long size, long append) {
        long total = size + append;
        return total > maxValueBytes || total < size || total < append;
    }

    /** Grows the entry's array to hold {@code length} bytes, doubling (up to the value limit) for amortised APPEND. */
    private void ensureCapacity(Keyspace.Entry entry, int length) {
        if (entry.value.length >= length) {
            return;
        }
        long doubled = Math.min(2L * entry.value.length, maxValueBytes);
        entry.value = Arrays.copyOf(entry.value, (int) Math.max(length, doubled));
    }

    void setRange(ClientSession c, RespCommand command) {
        if (!checks.integer(c, command.arg(2))) {
            return;
        }
        long offset = checks.value();
        if (offset < 0) {
            c.out().writeBytes(Replies.OFFSET_OUT_OF_RANGE);
            return;
        }
        byte[] key = command.arg(1);
        if (!checks.keyOk(c, key)) {
            return;
        }
        byte[] value = command.arg(3);
        StoreKey storeKey = new StoreKey(key);
        Keyspace.Entry entry = keyspace.get(storeKey);
        if (entry == null) {
            if (value.length == 0) {
                RespWriter.integer(c.out(), 0);
                return;
            }
            if (tooLong(offset, value.length)) {
                c.out().writeBytes(Replies.STRING_TOO_LONG);
                return;
            }
            byte[] created = new byte[(int) offset + value.length];
            System.arraycopy(value, 0, created, (int) offset, value.length);
            RespWriter.integer(c.out(), created.length);
            engine.keyCreated(keyspace.create(storeKey, created, created.length));
            return;
        }
        if (value.length == 0) {
            RespWriter.integer(c.out(), entry.length);
            return;
        }
        if (tooLong(offset, value.length)) {
            c.out().writeBytes(Replies.STRING_TOO_LONG);
            return;
        }
        int end = (int) offset + value.length;
        if (end > entry.length) {
            ensureCapacity(entry, end);
            // Zero the gap between the old end and the offset: the array may hold stale bytes beyond the length.
            Arrays.fill(entry.value, entry.length, (int) offset > entry.length ? (int) offset : entry.length, (byte) 0);
            entry.length = end;
        }
        System.arraycopy(value, 0, entry.value, (int) offset, value.length);
        RespWriter.integer(c.out(), entry.length);
    }

    void getRange(ClientSession c, RespCommand command) {
        if (!checks.integer(c, command.arg(2))) {
            return;
        }
        long start = checks.value();
        if (!checks.integer(c, command.arg(3))) {
            return;
        }
        long end = checks.value();
        byte[] key = command.arg(1);
        if (!checks.keyOk(c, key)) {
            return;
        }
        Keyspace.Entry entry = keyspace.get(new StoreKey(key));
        if (entry == null || (start < 0 && end < 0 && start > end)) {
            c.out().writeBytes(Replies.EMPTY_BULK);
            return;
        }
        long length = entry.length;
        if (start < 0) {
            start = length + start;
        }
        if (end < 0) {
            end = length + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (end < 0) {
            end = 0;
        }
        if (end >= length) {
            end = length - 1;
        }
        if (start > end || length == 0) {
            c.out().writeBytes(Replies.EMPTY_BULK);
        } else {
            c.bulk(entry.value, (int) start, (int) (end - start + 1));
        }
    }

    void strlen(ClientSession c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!checks.keyOk(c, key)) {
            return;
        }
        Keyspace.Entry entry = keyspace.get(new StoreKey(key));
        RespWriter.integer(c.out(), entry == null ? 0 : entry.length);
    }
}
