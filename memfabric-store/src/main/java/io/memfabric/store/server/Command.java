package io.memfabric.store.server;

import java.nio.charset.StandardCharsets;

/**
 * The commands the store serves, with redis-server's arity rule (positive: exactly that many arguments, name
 * included; negative: at least that many) and where they may run. Looked up from the raw name bytes,
 * case-insensitively, without allocating.
 *
 * <p>Thread safety: immutable.
 */
enum Command {
    PING("ping", -1, Command.SUBSCRIBED_OK),
    AUTH("auth", -2, Command.NO_AUTH),
    QUIT("quit", -1, Command.NO_AUTH | Command.SUBSCRIBED_OK),
    SELECT("select", 2, 0),
    DBSIZE("dbsize", 1, 0),
    ECHO("echo", 2, 0),
    CONFIG("config", -2, 0),
    COMMAND("command", -1, 0),
    INFO("info", -1, 0),
    SET("set", -3, 0),
    GET("get", 2, 0),
    DEL("del", -2, 0),
    EXISTS("exists", -2, 0),
    INCR("incr", 2, 0),
    DECR("decr", 2, 0),
    INCRBY("incrby", 3, 0),
    DECRBY("decrby", 3, 0),
    APPEND("append", 3, 0),
    SETRANGE("setrange", 4, 0),
    GETRANGE("getrange", 4, 0),
    STRLEN("strlen", 2, 0),
    KEYS("keys", 2, 0),
    SCAN("scan", -2, 0),
    PUBLISH("publish", 3, 0),
    SUBSCRIBE("subscribe", -2, Command.SUBSCRIBED_OK),
    UNSUBSCRIBE("unsubscribe", -1, Command.SUBSCRIBED_OK),
    PSUBSCRIBE("psubscribe", -2, Command.SUBSCRIBED_OK),
    PUNSUBSCRIBE("punsubscribe", -1, Command.SUBSCRIBED_OK),
    MF_WAIT("mf.wait", 3, 0),
    MF_CAS("mf.cas", 4, 0),
    MF_WATCH("mf.watch", 2, Command.SUBSCRIBED_OK),
    MF_UNWATCH("mf.unwatch", 2, Command.SUBSCRIBED_OK),
    MF_HELLO("mf.hello", -2, 0),
    MF_RANK("mf.rank", -2, 0);

    /** May run before {@code AUTH} on a server that requires it. */
    static final int NO_AUTH = 1;
    /** May run on a connection in subscribed mode (RESP2 pub/sub), besides the subscribe family. */
    static final int SUBSCRIBED_OK = 2;

    /** Open-addressed table over {@link #foldedHash}; a power of two well above the number of commands. */
    private static final Command[] TABLE = new Command[256];

    static {
        for (Command command : values()) {
            int i = foldedHash(command.upperName, command.upperName.length) & (TABLE.length - 1);
            while (TABLE[i] != null) {
                i = (i + 1) & (TABLE.length - 1);
            }
            TABLE[i] = command;
        }
    }

    private final String displayName;
    private final byte[] upperName;
    private final int arity;
    private final int flags;

    Command(String displayName, int arity, int flags) {
        this.displayName = displayName;
        this.upperName = displayName.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        this.arity = arity;
        this.flags = flags;
    }

    /** @return the lower-case name redis-server prints in errors ({@code 'get'}). */
    String displayName() {
        return displayName;
    }

    /** @return whether {@code argc} arguments (name included) satisfy the arity rule. */
    boolean arityOk(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    boolean allowedBeforeAuth() {
        return (flags & NO_AUTH) != 0;
    }

    boolean allowedWhenSubscribed() {
        return (flags & SUBSCRIBED_OK) != 0;
    }

    /**
     * @param name the command name as received, any case
     * @return the command, or null when there is none of that name
     */
    static Command lookup(byte[] name) {
        int length = name.length;
        int i = foldedHash(name, length) & (TABLE.length - 1);
        Command candidate;
        while ((candidate = TABLE[i]) != null) {
            if (candidate.upperName.length == length && equalsIgnoreCase(candidate.upperName, name)) {
                return candidate;
            }
            i = (i + 1) & (TABLE.length - 1);
        }
        return null;
    }

    /** A hash that ignores ASCII case: clearing bit 5 folds a-z onto A-Z (other bytes may collide; harmless). */
    private static int foldedHash(byte[] name, int length) {
        int h = length;
        for (int i = 0; i < length; i++) {
            h = 31 * h + (name[i] & 0xDF);
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsIgnoreCase(byte[] upper, byte[] name) {
        for (int i = 0; i < upper.length; i++) {
            byte b = name[i];
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upper[i]) {
                return false;
            }
        }
        return true;
    }
}
