package io.memfabric.store.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A command as a server reads it: a flat array of bulk strings (or an inline line split on blanks). Lighter than a
 * {@link RespMessage.Array} of {@link RespMessage.Bulk}: one object and one array besides the argument bytes.
 *
 * <p>Thread safety: immutable once decoded (the argument arrays must not be modified).
 */
public final class RespCommand {
    private final byte[][] args;

    /** @param args the arguments, the command name first; at least one */
    public RespCommand(byte[][] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a command has at least its name");
        }
        this.args = args;
    }

    /** @return the number of arguments, the command name included. */
    public int size() {
        return args.length;
    }

    /** @return argument {@code i} (0 is the command name). */
    public byte[] arg(int i) {
        return args[i];
    }

    /** @return argument {@code i} as ISO-8859-1 text: one char per byte, so binary keys round-trip exactly. */
    public String latin1(int i) {
        return new String(args[i], StandardCharsets.ISO_8859_1);
    }

    /** @return the command name in upper case, as Redis matches command names case-insensitively. */
    public String name() {
        return latin1(0).toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(args[i].length > 64 ? latin1(i).substring(0, 64) + "...(" + args[i].length + " bytes)"
                    : latin1(i));
        }
        return sb.toString();
    }
}
