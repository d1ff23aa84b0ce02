package io.memfabric.store.server;

import io.memfabric.error.ErrorCode;
import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command for one connection and writes its reply. Standard commands answer as redis-server 7 does, byte for
 * byte (errors included); {@code MF.*} commands are memfabric's, and their errors open with an {@link ErrorCode} name
 * followed by a message naming the value.
 *
 * <p>Checks run in redis-server's order: unknown command, arity, authentication, subscribed mode; then key lengths;
 * then the command's own arguments.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class CommandExecutor {
    private static final byte[] NS = "NS".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_ECHOED_ARGUMENT = 64;

    private final StoreEngine engine;
    private final Keyspace keyspace;
    private final int maxKeyBytes;
    private final long maxValueBytes;
    private final byte[] authSecret;

    CommandExecutor(StoreEngine engine, StoreServerOptions options) {
        this.engine = engine;
        this.keyspace = engine.keyspace();
        this.maxKeyBytes = options.maxKeyBytes();
        this.maxValueBytes = options.maxValueBytes();
        this.authSecret = options.authSecret().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    /** Runs {@code command} for {@code c}; the reply goes into {@code c.out()}. */
    void execute(ClientConnection c, RespCommand command) {
        Command cmd = Command.lookup(command.arg(0));
        if (cmd == null) {
            unknownCommand(c, command);
            return;
        }
        int argc = command.size();
        if (!cmd.arityOk(argc)) {
            wrongArity(c, cmd.displayName());
            return;
        }
        if (!c.authenticated() && !cmd.allowedBeforeAuth()) {
            c.out().writeBytes(Replies.NOAUTH);
            return;
        }
        if (c.subscriptionCount() > 0 && !cmd.allowedWhenSubscribed() && !isSubscribeFamily(cmd)) {
            error(c, "ERR Can't execute '" + cmd.displayName() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING "
                    + "/ QUIT / RESET are allowed in this context");
            return;
        }
        switch (cmd) {
            case GET -> get(c, command);
            case SET -> set(c, command);
            case PING -> ping(c, command);
            case DEL -> del(c, command);
            case EXISTS -> exists(c, command);
            case INCR -> incrBy(c, command, 1, false);
            case DECR -> incrBy(c, command, -1, false);
            case INCRBY -> incrBy(c, command, 0, true);
            case DECRBY -> decrBy(c, command);
            case APPEND -> append(c, command);
            case SETRANGE -> setRange(c, command);
            case GETRANGE -> getRange(c, command);
            case STRLEN -> strlen(c, command);
            case KEYS -> keys(c, command);
            case SCAN -> scan(c, command);
            case DBSIZE -> RespWriter.integer(c.out(), keyspace.size());
            case ECHO -> RespWriter.bulk(c.out(), command.arg(1));
            case SELECT -> select(c, command);
            case AUTH -> auth(c, command);
            case QUIT -> {
                c.out().writeBytes(Replies.OK);
                c.closeAfterReply();
            }
            case CONFIG -> config(c, command);
            case COMMAND -> c.out().writeBytes(Replies.EMPTY_ARRAY);
            case INFO -> info(c, command);
            case PUBLISH -> RespWriter.integer(c.out(),
                    engine.pubSub().publish(new StoreKey(command.arg(1)), command.arg(2)));
            case SUBSCRIBE -> engine.pubSub().subscribe(c, keysFrom(command, 1));
            case UNSUBSCRIBE -> engine.pubSub().unsubscribe(c, keysFrom(command, 1));
            case PSUBSCRIBE -> engine.pubSub().psubscribe(c, keysFrom(command, 1));
            case PUNSUBSCRIBE -> engine.pubSub().punsubscribe(c, keysFrom(command, 1));
            case MF_WAIT -> mfWait(c, command);
            case MF_CAS -> mfCas(c, command);
            case MF_WATCH -> mfWatch(c, command);
            case MF_UNWATCH -> mfUnwatch(c, command);
            case MF_HELLO -> mfHello(c, command);
            case MF_RANK -> mfRank(c, command);
        }
    }

    private static boolean isSubscribeFamily(Command cmd) {
        return cmd == Command.SUBSCRIBE || cmd == Command.UNSUBSCRIBE || cmd == Command.PSUBSCRIBE
                || cmd == Command.PUNSUBSCRIBE;
    }

    // -------------------------------------------------------------------------------------------- generic errors

    private static void error(ClientConnection c, String text) {
        RespWriter.error(c.out(), text);
    }

    private static void error(ClientConnection c, ErrorCode code, String message) {
        RespWriter.error(c.out(), code.name() + " " + message);
    }

    /** redis-server 7: {@code unknown command '%.128s', with args beginning with: '%.*s' ...} (C strings: NUL ends). */
    private static void unknownCommand(ClientConnection c, RespCommand command) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < command.size() && args.length() < 128; i++) {
            String arg = cString(command.arg(i), 128 - args.length());
            args.append('\'').append(arg).append("' ");
        }
        error(c, "ERR unknown command '" + cString(command.arg(0), 128) + "', with args beginning with: " + args);
    }

    private static String cString(byte[] bytes, int max) {
        int n = 0;
        while (n < bytes.length && n < max && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }

    private static void wrongArity(ClientConnection c, String name) {
        error(c, "ERR wrong number of arguments for '" + name + "' command");
    }

    /** Checks a key of a standard command: only the length limit (redis-server accepts the empty key). */
    private boolean keyOk(ClientConnection c, byte[] key) {
        if (key.length > maxKeyBytes) {
            error(c, ErrorCode.STORE_INVALID_KEY, "key length=" + key.length + " (expected: 0.." + maxKeyBytes + ")");
            return false;
        }
        return true;
    }

    /** Checks a key of an {@code MF.*} command: non-empty and within the limit. */
    private boolean mfKeyOk(ClientConnection c, byte[] key) {
        if (key.length == 0 || key.length > maxKeyBytes) {
            error(c, ErrorCode.STORE_INVALID_KEY, "key length=" + key.length + " (expected: 1.." + maxKeyBytes + ")");
            return false;
        }
        return true;
    }

    private static String printable(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_ECHOED_ARGUMENT), StandardCharsets.ISO_8859_1);
        return bytes.length > MAX_ECHOED_ARGUMENT ? text + "..." : text;
    }

    private static List<StoreKey> keysFrom(RespCommand command, int from) {
        List<StoreKey> keys = new ArrayList<>(command.size() - from);
        for (int i = from; i < command.size(); i++) {
            keys.add(new StoreKey(command.arg(i)));
        }
        return keys;
    }

    private static boolean equalsIgnoreCase(byte[] arg, String upper) {
        if (arg.length != upper.length()) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            byte b = arg[i];
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upper.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // -------------------------------------------------------------------------------------------- connection

    private static void ping(ClientConnection c, RespCommand command) {
        if (command.size() > 2) {
            wrongArity(c, "ping");
            return;
        }
        ByteBuf out = c.out();
        if (c.subscriptionCount() > 0) {
            out.writeBytes(Replies.PONG_SUBSCRIBED_HEADER);
            RespWriter.bulk(out, command.size() == 2 ? command.arg(1) : new byte[0]);
        } else if (command.size() == 2) {
            RespWriter.bulk(out, command.arg(1));
        } else {
            out.writeBytes(Replies.PONG);
        }
    }

    private void auth(ClientConnection c, RespCommand command) {
        if (command.size() > 3) {
            c.out().writeBytes(Replies.SYNTAX_ERROR);
            return;
        }
        boolean defaultUser = command.size() == 2 || Arrays.equals(command.arg(1),
                "default".getBytes(StandardCharsets.US_ASCII));
        byte[] password = command.arg(command.size() - 1);
        if (authSecret == null) {
            if (command.size() == 2) {
                c.out().writeBytes(Replies.AUTH_NOT_CONFIGURED);
            } else {
                c.out().writeBytes(defaultUser ? Replies.OK : Replies.WRONGPASS);
            }
            return;
        }
        // Constant-time comparison: the time taken must not reveal how much of the secret matched.
        if (defaultUser & MessageDigest.isEqual(authSecret, password)) {
            c.authenticated(true);
            c.out().writeBytes(Replies.OK);
        } else {
            c.out().writeBytes(Replies.WRONGPASS);
        }
    }

    private static void select(ClientConnection c, RespCommand command) {
        byte[] index = command.arg(1);
        if (!RedisNumbers.isLong(index)) {
            c.out().writeBytes(Replies.NOT_AN_INTEGER);
            return;
        }
        long value = RedisNumbers.toLong(index);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            c.out().writeBytes(Replies.INT_OUT_OF_RANGE);
        } else if (value != 0) {
            c.out().writeBytes(Replies.DB_INDEX_OUT_OF_RANGE);
        } else {
            c.out().writeBytes(Replies.OK);
        }
    }

    /**
     * {@code INFO [section...]}: what an operator (or a test) needs to see of a live store, in redis-server's format
     * ({@code # Section} headers, {@code field:value} lines): {@code server}, {@code clients} ({@code blocked_clients}
     * counts connections waiting in {@code MF.WAIT}), {@code memfabric} (watches, waits) and {@code keyspace}. No
     * section, {@code all} or {@code default} gives every section.
     */
    private void info(ClientConnection c, RespCommand command) {
        boolean all = command.size() == 1;
        List<String> wanted = new ArrayList<>();
        for (int i = 1; i < command.size(); i++) {
            String section = new String(command.arg(i), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            all |= section.equals("all") || section.equals("default") || section.equals("everything");
            wanted.add(section);
        }
        StringBuilder sb = new StringBuilder();
        if (all || wanted.contains("server")) {
            sb.append("# Server\r\n").append("memfabric_store:1\r\n")
                    .append("uptime_in_seconds:").append(engine.uptimeSeconds()).append("\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n\r\n");
        }
        if (all || wanted.contains("clients")) {
            sb.append("# Clients\r\n").append("connected_clients:").append(engine.connectedClients()).append("\r\n")
                    .append("maxclients:").append(engine.options().maxClients()).append("\r\n")
                    .append("blocked_clients:").append(engine.waits().size()).append("\r\n\r\n");
        }
        if (all || wanted.contains("memfabric")) {
            sb.append("# Memfabric\r\n").append("pending_waits:").append(engine.waits().size()).append("\r\n")
                    .append("pending_watches:").append(engine.watches().size()).append("\r\n\r\n");
        }
        if (all || wanted.contains("keyspace")) {
            sb.append("# Keyspace\r\n");
            if (keyspace.size() > 0) {
                sb.append("db0:keys=").append(keyspace.size()).append(",expires=0,avg_ttl=0\r\n");
            }
        }
        RespWriter.bulk(c.out(), sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * {@code CONFIG GET pattern...}: answers the few parameters clients ask for on start (redis-benchmark reads
     * {@code save} and {@code appendonly}) with what is true of this store: it never persists.
     */
    private void config(ClientConnection c, RespCommand command) {
        byte[] sub = command.arg(1);
        if (!equalsIgnoreCase(sub, "GET")) {
            error(c, "ERR unknown subcommand '" + cString(sub, 128) + "'. Try CONFIG HELP.");
            return;
        }
        if (command.size() < 3) {
            wrongArity(c, "config|get");
            return;
        }
        String[][] parameters = {
            {"save", ""},
            {"appendonly", "no"},
            {"databases", "1"},
            {"maxclients", Integer.toString(engine.options().maxClients())},
            {"proto-max-bulk-len", Long.toString(maxValueBytes)},
        };
        List<String[]> matched = new ArrayList<>();
        for (String[] parameter : parameters) {
            byte[] name = parameter[0].getBytes(StandardCharsets.US_ASCII);
            for (int i = 2; i < command.size(); i++) {
                byte[] pattern = new String(command.arg(i), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT)
                        .getBytes(StandardCharsets.ISO_8859_1);
                if (Glob.matches(pattern, name)) {
                    matched.add(parameter);
                    break;
                }
            }
        }
        ByteBuf out = c.out();
        RespWriter.arrayHeader(out, matched.size() * 2);
        for (String[] parameter : matched) {
            RespWriter.bulk(out, parameter[0]);
            RespWriter.bulk(out, parameter[1]);
        }
    }

    // -------------------------------------------------------------------------------------------- strings

    private void get(ClientConnection c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!keyOk(c, key)) {
            return;
        }
        Keyspace.Entry entry = keyspace.get(new StoreKey(key));
        if (entry == null) {
            c.out().writeBytes(Replies.NULL_BULK);
        } else {
            RespWriter.bulk(c.out(), entry.value, 0, entry.length);
        }
    }

    /** {@code SET key value [NX|XX] [GET] [KEEPTTL]}; expiry options are refused, as keys never expire here. */
    private void set(ClientConnection c, RespCommand command) {
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
                error(c, "ERR SET option '" + printable(option) + "' is not supported: keys of the memfabric store "
                        + "do not expire");
                return;
            } else {
                c.out().writeBytes(Replies.SYNTAX_ERROR);
                return;
            }
        }
        if (!keyOk(c, key)) {
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
        if (entry != null) {
            entry.value = value;
            entry.length = value.length;
        } else {
            engine.keyCreated(keyspace.create(storeKey, value, value.length));
        }
    }

    private static void writeValue(ClientConnection c, Keyspace.Entry entry) {
        if (entry == null) {
            c.out().writeBytes(Replies.NULL_BULK);
        } else {
            RespWriter.bulk(c.out(), entry.value, 0, entry.length);
        }
    }

    private void del(ClientConnection c, RespCommand command) {
        for (int i = 1; i < command.size(); i++) {
            if (!keyOk(c, command.arg(i))) {
                return;
            }
        }
        int removed = 0;
        for (int i = 1; i < command.size(); i++) {
            if (keyspace.remove(new StoreKey(command.arg(i)))) {
                removed++;
            }
        }
        RespWriter.integer(c.out(), removed);
    }

    private void exists(ClientConnection c, RespCommand command) {
        for (int i = 1; i < command.size(); i++) {
            if (!keyOk(c, command.arg(i))) {
                return;
            }
        }
        int found = 0;
        for (int i = 1; i < command.size(); i++) {
            if (keyspace.get(new StoreKey(command.arg(i))) != null) {
                found++;
            }
        }
        RespWriter.integer(c.out(), found);
    }

    private void decrBy(ClientConnection c, RespCommand command) {
        byte[] arg = command.arg(2);
        if (!RedisNumbers.isLong(arg)) {
            c.out().writeBytes(Replies.NOT_AN_INTEGER);
            return;
        }
        long delta = RedisNumbers.toLong(arg);
        if (delta == Long.MIN_VALUE) {
            c.out().writeBytes(Replies.DECR_OVERFLOW);
            return;
        }
        incrBy(c, command, -delta, false);
    }

    /**
     * {@code INCR}/{@code DECR}/{@code INCRBY}/{@code DECRBY} (upstream ADD): 64-bit, on a value that must be an
     * integer by redis-server's rules; a missing key counts as 0.
     *
     * @param parseDelta whether the delta is argument 2 (INCRBY) rather than {@code delta}
     */
    private void incrBy(ClientConnection c, RespCommand command, long delta, boolean parseDelta) {
        if (parseDelta) {
            byte[] arg = command.arg(2);
            if (!RedisNumbers.isLong(arg)) {
                c.out().writeBytes(Replies.NOT_AN_INTEGER);
                return;
            }
            delta = RedisNumbers.toLong(arg);
        }
        byte[] key = command.arg(1);
        if (!keyOk(c, key)) {
            return;
        }
        StoreKey storeKey = new StoreKey(key);
        Keyspace.Entry entry = keyspace.get(storeKey);
        long old = 0;
        if (entry != null) {
            if (!RedisNumbers.isLong(entry.value, entry.length)) {
                c.out().writeBytes(Replies.NOT_AN_INTEGER);
                return;
            }
            old = RedisNumbers.toLong(entry.value, entry.length);
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

    /** Characters of the longest signed 64-bit decimal. */
    private static final int LONG_DIGITS = 20;

    /** Writes {@code value} in decimal at the start of {@code buffer} (at least 20 bytes); returns the length. */
    static int writeDecimal(byte[] buffer, long value) {
        if (value == Long.MIN_VALUE) {
            byte[] digits = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, buffer, 0, digits.length);
            return digits.length;
        }
        int pos = 0;
        if (value < 0) {
            buffer[pos++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long v = value / 10; v != 0; v /= 10) {
            digits++;
        }
        int end = pos + digits;
        for (int i = end - 1; i >= pos; i--) {
            buffer[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return end;
    }

    private void append(ClientConnection c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!keyOk(c, key)) {
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

    private void setRange(ClientConnection c, RespCommand command) {
        byte[] offsetArg = command.arg(2);
        if (!RedisNumbers.isLong(offsetArg)) {
            c.out().writeBytes(Replies.NOT_AN_INTEGER);
            return;
        }
        long offset = RedisNumbers.toLong(offsetArg);
        if (offset < 0) {
            c.out().writeBytes(Replies.OFFSET_OUT_OF_RANGE);
            return;
        }
        byte[] key = command.arg(1);
        if (!keyOk(c, key)) {
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

    private void getRange(ClientConnection c, RespCommand command) {
        byte[] startArg = command.arg(2);
        byte[] endArg = command.arg(3);
        if (!RedisNumbers.isLong(startArg) || !RedisNumbers.isLong(endArg)) {
            c.out().writeBytes(Replies.NOT_AN_INTEGER);
            return;
        }
        long start = RedisNumbers.toLong(startArg);
        long end = RedisNumbers.toLong(endArg);
        byte[] key = command.arg(1);
        if (!keyOk(c, key)) {
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
            RespWriter.bulk(c.out(), entry.value, (int) start, (int) (end - start + 1));
        }
    }

    private void strlen(ClientConnection c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!keyOk(c, key)) {
            return;
        }
        Keyspace.Entry entry = keyspace.get(new StoreKey(key));
        RespWriter.integer(c.out(), entry == null ? 0 : entry.length);
    }

    // -------------------------------------------------------------------------------------------- inspection

    private void keys(ClientConnection c, RespCommand command) {
        byte[] pattern = command.arg(1);
        boolean all = Glob.matchesAll(pattern);
        List<byte[]> matched = new ArrayList<>();
        keyspace.forEach(entry -> {
            if (all || Glob.matches(pattern, entry.key.bytes())) {
                matched.add(entry.key.bytes());
            }
        });
        ByteBuf out = c.out();
        RespWriter.arrayHeader(out, matched.size());
        for (byte[] key : matched) {
            RespWriter.bulk(out, key);
        }
    }

    /** {@code SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]}: options parsed as redis-server 7 does. */
    private void scan(ClientConnection c, RespCommand command) {
        long cursor = RedisNumbers.parseCursor(command.arg(1));
        if (cursor == RedisNumbers.INVALID_CURSOR) {
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
                byte[] n = command.arg(i + 1);
                if (!RedisNumbers.isLong(n)) {
                    c.out().writeBytes(Replies.NOT_AN_INTEGER);
                    return;
                }
                count = RedisNumbers.toLong(n);
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
        long next = keyspace.scan(cursor == RedisNumbers.CURSOR_END ? -1 : cursor, (int) Math.min(count, 1 << 20),
                entry -> {
                    if (keep && (matchPattern == null || Glob.matches(matchPattern, entry.key.bytes()))) {
                        found.add(entry.key.bytes());
                    }
                });
        ByteBuf out = c.out();
        RespWriter.arrayHeader(out, 2);
        RespWriter.bulk(out, Long.toString(next).getBytes(StandardCharsets.US_ASCII));
        RespWriter.arrayHeader(out, found.size());
        for (byte[] key : found) {
            RespWriter.bulk(out, key);
        }
    }

    // -------------------------------------------------------------------------------------------- MF.*

    /** {@code MF.WAIT key timeoutMs}: the value; or, when absent, nil (0), a block (-1) or a block with a deadline. */
    private void mfWait(ClientConnection c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!mfKeyOk(c, key)) {
            return;
        }
        byte[] timeoutArg = command.arg(2);
        long timeoutMs = RedisNumbers.isLong(timeoutArg) ? RedisNumbers.toLong(timeoutArg) : Long.MIN_VALUE;
        if (timeoutMs < -1 || timeoutMs > MAX_WAIT_MS) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.WAIT timeoutMs=" + printable(timeoutArg)
                    + " (expected: -1 (forever), 0 (check once) or 1.." + MAX_WAIT_MS + ")");
            return;
        }
        StoreKey storeKey = new StoreKey(key);
        Keyspace.Entry entry = keyspace.get(storeKey);
        if (entry != null) {
            RespWriter.bulk(c.out(), entry.value, 0, entry.length);
        } else if (timeoutMs == 0) {
            c.out().writeBytes(Replies.NULL_BULK);
        } else {
            c.block(engine.waits().add(c, storeKey, timeoutMs));
        }
    }

    /** Longest {@code MF.WAIT} deadline: far beyond any use, and small enough not to overflow nanoseconds. */
    static final long MAX_WAIT_MS = TimeUnit.DAYS.toMillis(365);

    /** {@code MF.CAS key expected new}: {@code *2 :1|:0 $current}; empty {@code expected} creates if absent. */
    private void mfCas(ClientConnection c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!mfKeyOk(c, key)) {
            return;
        }
        byte[] expected = command.arg(2);
        byte[] update = command.arg(3);
        StoreKey storeKey = new StoreKey(key);
        Keyspace.Entry entry = keyspace.get(storeKey);
        ByteBuf out = c.out();
        boolean swap = expected.length == 0 ? entry == null
                : entry != null && Arrays.equals(entry.value, 0, entry.length, expected, 0, expected.length);
        if (!swap) {
            out.writeBytes(Replies.CAS_NOT_SWAPPED);
            writeValue(c, entry);
            return;
        }
        out.writeBytes(Replies.CAS_SWAPPED);
        RespWriter.bulk(out, update);
        if (entry != null) {
            entry.value = update;
            entry.length = update.length;
        } else {
            engine.keyCreated(keyspace.create(storeKey, update, update.length));
        }
    }

    /** {@code MF.WATCH key}: {@code :id}, then one {@code mf:watch} push when the key exists (at once if it does). */
    private void mfWatch(ClientConnection c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!mfKeyOk(c, key)) {
            return;
        }
        Watches watches = engine.watches();
        long id = watches.nextId();
        RespWriter.integer(c.out(), id);
        StoreKey storeKey = new StoreKey(key);
        Keyspace.Entry entry = keyspace.get(storeKey);
        if (entry != null) {
            StoreEngine.pushWatch(c, id, entry.value, entry.length);
        } else {
            watches.add(new Watches.Watch(id, storeKey, c));
            c.watchIds().add(id);
        }
    }

    private void mfUnwatch(ClientConnection c, RespCommand command) {
        byte[] idArg = command.arg(1);
        if (!RedisNumbers.isLong(idArg)) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.UNWATCH id=" + printable(idArg) + " (expected: an integer)");
            return;
        }
        long id = RedisNumbers.toLong(idArg);
        Watches.Watch removed = engine.watches().remove(id, c);
        if (removed != null) {
            c.watchIds().remove(id);
        }
        RespWriter.integer(c.out(), removed != null ? 1 : 0);
    }

    /** {@code MF.HELLO name [rank [periodMs]]}: identity and heartbeat period for liveness. */
    private void mfHello(ClientConnection c, RespCommand command) {
        if (command.size() > 4) {
            wrongArity(c, "mf.hello");
            return;
        }
        byte[] name = command.arg(1);
        if (!nameOk(c, "MF.HELLO name", name)) {
            return;
        }
        int rank = -1;
        if (command.size() >= 3) {
            byte[] rankArg = command.arg(2);
            long value = RedisNumbers.isLong(rankArg) ? RedisNumbers.toLong(rankArg) : Long.MIN_VALUE;
            if (value < -1 || value >= RankTable.MAX_WORLD_SIZE) {
                error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.HELLO rank=" + printable(rankArg)
                        + " (expected: -1 (none) or 0.." + (RankTable.MAX_WORLD_SIZE - 1) + ")");
                return;
            }
            rank = (int) value;
        }
        long periodNanos = engine.options().heartbeatPeriod().toNanos();
        if (command.size() == 4) {
            byte[] periodArg = command.arg(3);
            long minMs = StoreServerOptions.MIN_HEARTBEAT_PERIOD.toMillis();
            long maxMs = StoreServerOptions.MAX_HEARTBEAT_PERIOD.toMillis();
            long value = RedisNumbers.isLong(periodArg) ? RedisNumbers.toLong(periodArg) : Long.MIN_VALUE;
            if (value < minMs || value > maxMs) {
                error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.HELLO periodMs=" + printable(periodArg)
                        + " (expected: " + minMs + ".." + maxMs + ")");
                return;
            }
            periodNanos = TimeUnit.MILLISECONDS.toNanos(value);
        }
        c.out().writeBytes(Replies.OK);
        engine.hello(c, new String(name, StandardCharsets.ISO_8859_1), rank, periodNanos);
    }

    /** Names and namespaces go into the one-line, blank-separated event text: no blanks or control bytes. */
    private boolean nameOk(ClientConnection c, String what, byte[] name) {
        if (name.length == 0 || name.length > maxKeyBytes) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, what + "='" + printable(name) + "' length=" + name.length
                    + " (expected: 1.." + maxKeyBytes + ")");
            return false;
        }
        for (byte b : name) {
            if ((b & 0xff) <= ' ' || b == 0x7f) {
                error(c, ErrorCode.STORE_INVALID_MESSAGE, what + "='" + printable(name)
                        + "' (expected: no blanks or control characters)");
                return false;
            }
        }
        return true;
    }

    /** {@code MF.RANK worldSize [rank] [NS namespace]}: {@code :rank}. */
    private void mfRank(ClientConnection c, RespCommand command) {
        byte[] worldArg = command.arg(1);
        long worldSize = RedisNumbers.isLong(worldArg) ? RedisNumbers.toLong(worldArg) : Long.MIN_VALUE;
        if (worldSize < 1 || worldSize > RankTable.MAX_WORLD_SIZE) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.RANK worldSize=" + printable(worldArg) + " (expected: 1.."
                    + RankTable.MAX_WORLD_SIZE + ")");
            return;
        }
        int i = 2;
        long rank = -1;
        if (i < command.size() && !Arrays.equals(upper(command.arg(i)), NS)) {
            byte[] rankArg = command.arg(i);
            rank = RedisNumbers.isLong(rankArg) ? RedisNumbers.toLong(rankArg) : Long.MIN_VALUE;
            if (rank < -1) {
                error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.RANK rank=" + printable(rankArg)
                        + " (expected: -1 (automatic) or 0..worldSize-1)");
                return;
            }
            i++;
        }
        String namespace = "";
        if (i + 1 < command.size() && equalsIgnoreCase(command.arg(i), "NS")) {
            byte[] nsArg = command.arg(i + 1);
            if (nsArg.length > 0 && !nameOk(c, "MF.RANK namespace", nsArg)) {
                return;
            }
            namespace = new String(nsArg, StandardCharsets.ISO_8859_1);
            i += 2;
        }
        if (i != command.size()) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.RANK syntax error (expected: MF.RANK worldSize [rank] "
                    + "[NS namespace])");
            return;
        }
        if (rank >= worldSize) {
            error(c, ErrorCode.STORE_RANK_UNAVAILABLE, "rank=" + rank + " ns=" + namespace + " (expected: 0.."
                    + (worldSize - 1) + " for worldSize=" + worldSize + ")");
            return;
        }
        engine.assignRank(c, namespace, (int) worldSize, (int) rank);
    }

    private static byte[] upper(byte[] arg) {
        byte[] copy = arg.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] >= 'a' && copy[i] <= 'z') {
                copy[i] -= 32;
            }
        }
        return copy;
    }
}
