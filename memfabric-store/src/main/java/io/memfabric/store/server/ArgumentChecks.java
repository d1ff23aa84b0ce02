package io.memfabric.store.server;

import io.memfabric.error.ErrorCode;
import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespNumberParser;
import io.memfabric.store.protocol.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The argument checks of every command family, in one place, each answering the way redis-server does when a check
 * fails: key lengths (a standard command takes the empty key, an {@code MF.*} command does not), names that go into
 * event text, integers by redis-server's {@code string2ll} ({@link RespNumberParser#forArguments()}), option words,
 * and the error texts for unknown commands and wrong arity. A check that fails has written its error reply; the
 * caller returns.
 *
 * <p>Thread safety: not thread safe (it reuses one number parser); used only on the server's event loop.
 */
final class ArgumentChecks {
    private static final int MAX_ECHOED_ARGUMENT = 64;

    private final int maxKeyBytes;
    private final RespNumberParser numbers = RespNumberParser.forArguments();

    ArgumentChecks(int maxKeyBytes) {
        this.maxKeyBytes = maxKeyBytes;
    }

    // -------------------------------------------------------------------------------------------- error replies

    static void error(ClientSession c, String text) {
        RespWriter.error(c.out(), text);
    }

    /** A memfabric error: the code's name, then a message naming the value. */
    static void error(ClientSession c, ErrorCode code, String message) {
        RespWriter.error(c.out(), code.name() + " " + message);
    }

    /** redis-server 7: {@code unknown command '%.128s', with args beginning with: '%.*s' ...} (C strings: NUL ends). */
    static void unknownCommand(ClientSession c, RespCommand command) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < command.size() && args.length() < 128; i++) {
            String arg = cString(command.arg(i), 128 - args.length());
            args.append('\'').append(arg).append("' ");
        }
        error(c, "ERR unknown command '" + cString(command.arg(0), 128) + "', with args beginning with: " + args);
    }

    static void wrongArity(ClientSession c, String name) {
        error(c, "ERR wrong number of arguments for '" + name + "' command");
    }

    /** @return at most {@code max} bytes of {@code bytes}, up to the first NUL, as redis-server prints a C string. */
    static String cString(byte[] bytes, int max) {
        int n = 0;
        while (n < bytes.length && n < max && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** @return an argument as text for an error message, cut at 64 bytes. */
    static String printable(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_ECHOED_ARGUMENT), StandardCharsets.ISO_8859_1);
        return bytes.length > MAX_ECHOED_ARGUMENT ? text + "..." : text;
    }

    // -------------------------------------------------------------------------------------------- keys and names

    /** Checks a key of a standard command: only the length limit (redis-server accepts the empty key). */
    boolean keyOk(ClientSession c, byte[] key) {
        if (key.length > maxKeyBytes) {
            error(c, ErrorCode.STORE_INVALID_KEY, "key length=" + key.length + " (expected: 0.." + maxKeyBytes + ")");
            return false;
        }
        return true;
    }

    /** Checks the keys {@code from} the given argument on: every one before any is used. */
    boolean keysOk(ClientSession c, RespCommand command, int from) {
        for (int i = from; i < command.size(); i++) {
            if (!keyOk(c, command.arg(i))) {
                return false;
            }
        }
        return true;
    }

    /** Checks a key of an {@code MF.*} command: non-empty and within the limit. */
    boolean mfKeyOk(ClientSession c, byte[] key) {
        if (key.length == 0 || key.length > maxKeyBytes) {
            error(c, ErrorCode.STORE_INVALID_KEY, "key length=" + key.length + " (expected: 1.." + maxKeyBytes + ")");
            return false;
        }
        return true;
    }

    /** Names and namespaces go into the one-line, blank-separated event text: no blanks or control bytes. */
    boolean nameOk(ClientSession c, String what, byte[] name) {
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

    /** @return the arguments {@code from} the given one on, as keys (channels, patterns). */
    static List<StoreKey> keysFrom(RespCommand command, int from) {
        List<StoreKey> keys = new ArrayList<>(command.size() - from);
        for (int i = from; i < command.size(); i++) {
            keys.add(new StoreKey(command.arg(i)));
        }
        return keys;
    }

    /** @return whether {@code arg} is the option word {@code upper}, in any ASCII case. */
    static boolean equalsIgnoreCase(byte[] arg, String upper) {
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

    // -------------------------------------------------------------------------------------------- integers

    /**
     * Checks an integer argument of a standard command; then {@link #value()} holds it.
     *
     * @return false after answering {@code -ERR value is not an integer or out of range}
     */
    boolean integer(ClientSession c, byte[] arg) {
        if (numbers.parse(arg)) {
            return true;
        }
        c.out().writeBytes(Replies.NOT_AN_INTEGER);
        return false;
    }

    /** @return the integer the last successful check parsed. */
    long value() {
        return numbers.value();
    }

    /** @return {@code arg} as an integer, or {@code invalid} when it is none (for checks with their own error). */
    long integerOr(byte[] arg, long invalid) {
        return numbers.parse(arg) ? numbers.value() : invalid;
    }

    /** @return whether {@code value[0, length)} (a stored value) is an integer; then {@link #value()} holds it. */
    boolean isInteger(byte[] value, int length) {
        return numbers.parse(value, 0, length);
    }
}
