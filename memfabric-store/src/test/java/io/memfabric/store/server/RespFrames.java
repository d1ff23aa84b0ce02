package io.memfabric.store.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Random RESP frames for fuzzing the server: valid commands, mutated and truncated ones, random bytes, absurd
 * declared lengths, deep nesting and inline lines. Deterministic for a given {@link Random}.
 */
final class RespFrames {
    private static final String[] NAMES = {
        "GET", "SET", "DEL", "EXISTS", "INCR", "DECR", "INCRBY", "DECRBY", "APPEND", "SETRANGE", "GETRANGE",
        "STRLEN", "KEYS", "SCAN", "PING", "ECHO", "DBSIZE", "SELECT", "PUBLISH", "CONFIG", "COMMAND", "AUTH",
        "MF.WAIT", "MF.CAS", "MF.WATCH", "MF.UNWATCH", "MF.RANK", "MF.HELLO", "SUBSCRIBE", "UNSUBSCRIBE",
        "NOSUCH", "get", "Mf.Wait", "",
    };
    private static final String[] WORDS = {
        "0", "-1", "1", "2", "10", "100", "4096", "-9223372036854775808", "9223372036854775807", "x", "k", "key:1",
        "NX", "XX", "GET", "NS", "MATCH", "COUNT", "*", "h?llo", "[a-z]*", "mf:events", "",
    };
    /** Frames that declare far more than they carry, or more than any limit allows. */
    private static final String[] HUGE = {
        "*2147483647\r\n", "$2147483647\r\n", "*1\r\n$2147483647\r\n", "*2\r\n$3\r\nGET\r\n$2147483647\r\n",
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$67108864\r\n", "*1024\r\n", "*1025\r\n", "*-5\r\n", "*-1\r\n",
        "*99999999999999999999999\r\n", "$-2\r\n", "*1\r\n$-1\r\n", "*3\r\n$3\r\nSET\r\n$67108865\r\n",
        "*9223372036854775807\r\n", "*1\r\n$9223372036854775808\r\n", "*-4294967295\r\n",
        "*-9223372036854775808\r\n", "*-4294967295\r\n$4\r\nPING\r\n",
    };

    private RespFrames() {
    }

    /** @return one random frame of any kind. */
    static byte[] any(Random r) {
        int kind = r.nextInt(100);
        if (kind < 40) {
            return valid(r);
        } else if (kind < 55) {
            return mutated(r);
        } else if (kind < 70) {
            return truncated(r);
        } else if (kind < 80) {
            return randomBytes(r);
        } else if (kind < 87) {
            return HUGE[r.nextInt(HUGE.length)].getBytes(StandardCharsets.US_ASCII);
        } else if (kind < 92) {
            return nested(r);
        } else {
            return inline(r);
        }
    }

    /** @return a well-formed command array (the command itself may be unknown or have bad arguments). */
    static byte[] valid(Random r) {
        int argc = 1 + r.nextInt(5);
        byte[][] args = new byte[argc][];
        args[0] = NAMES[r.nextInt(NAMES.length)].getBytes(StandardCharsets.US_ASCII);
        for (int i = 1; i < argc; i++) {
            args[i] = r.nextInt(4) == 0 ? randomArgument(r) : WORDS[r.nextInt(WORDS.length)]
                    .getBytes(StandardCharsets.US_ASCII);
        }
        return encode(args);
    }

    static byte[] encode(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(arg);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    private static byte[] randomArgument(Random r) {
        byte[] arg = new byte[r.nextInt(40)];
        r.nextBytes(arg);
        return arg;
    }

    static byte[] mutated(Random r) {
        byte[] frame = valid(r);
        int mutations = 1 + r.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int at = r.nextInt(frame.length);
            switch (r.nextInt(3)) {
                case 0 -> frame[at] = (byte) r.nextInt(256);
                case 1 -> {
                    byte[] longer = new byte[frame.length + 1];
                    System.arraycopy(frame, 0, longer, 0, at);
                    longer[at] = (byte) "*$\r\n-0123456789:+ ".charAt(r.nextInt(18));
                    System.arraycopy(frame, at, longer, at + 1, frame.length - at);
                    frame = longer;
                }
                default -> {
                    if (frame.length > 1) {
                        byte[] shorter = new byte[frame.length - 1];
                        System.arraycopy(frame, 0, shorter, 0, at);
                        System.arraycopy(frame, at + 1, shorter, at, frame.length - at - 1);
                        frame = shorter;
                    }
                }
            }
        }
        return frame;
    }

    static byte[] truncated(Random r) {
        byte[] frame = valid(r);
        byte[] cut = new byte[1 + r.nextInt(frame.length)];
        System.arraycopy(frame, 0, cut, 0, cut.length);
        return cut;
    }

    static byte[] randomBytes(Random r) {
        byte[] bytes = new byte[1 + r.nextInt(64)];
        r.nextBytes(bytes);
        return bytes;
    }

    static byte[] nested(Random r) {
        StringBuilder frame = new StringBuilder();
        int depth = 1 + r.nextInt(200);
        for (int i = 0; i < depth; i++) {
            frame.append("*1\r\n");
        }
        frame.append("$1\r\nx\r\n");
        return frame.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] inline(Random r) {
        if (r.nextInt(200) == 0) {
            byte[] tooLong = new byte[70_000];
            java.util.Arrays.fill(tooLong, (byte) 'a');
            return tooLong;
        }
        StringBuilder line = new StringBuilder(NAMES[r.nextInt(NAMES.length)]);
        int words = r.nextInt(4);
        for (int i = 0; i < words; i++) {
            line.append(r.nextBoolean() ? " " : "\t").append(WORDS[r.nextInt(WORDS.length)]);
        }
        line.append(r.nextBoolean() ? "\r\n" : "\n");
        return line.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
