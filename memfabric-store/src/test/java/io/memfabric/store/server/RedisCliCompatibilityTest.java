package io.memfabric.store.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real {@code redis-cli}, run against this server and against a real {@code redis-server} started here, must
 * print the same bytes and exit with the same status for every standard command, errors included. Skipped when the
 * Redis tools are not installed, except on CI ({@code CI=true}), where their absence fails the test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisCliCompatibilityTest {
    @TempDir
    static Path dir;
    private static Process redisServer;
    private static int redisPort;
    private static StoreServer store;
    private static String redisCli;

    @BeforeAll
    static void startBothServers() throws Exception {
        redisCli = findOnPath("redis-cli");
        String redisServerBinary = findOnPath("redis-server");
        if (redisCli == null || redisServerBinary == null) {
            String missing = "redis-cli/redis-server not on PATH";
            if ("true".equals(System.getenv("CI"))) {
                fail(missing + " (CI must install them: apt-get install redis-server redis-tools)");
            }
            Assumptions.abort(missing);
        }
        redisPort = freePort();
        redisServer = new ProcessBuilder(redisServerBinary, "--save", "", "--appendonly", "no", "--port",
                Integer.toString(redisPort), "--bind", "127.0.0.1", "--dir", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-server.log").toFile())
                .start();
        TestServers.await("redis-server answers PING", () -> pings(redisPort));
        store = TestServers.start();
    }

    @AfterAll
    static void stopBothServers() throws InterruptedException {
        if (store != null) {
            store.close();
        }
        if (redisServer != null) {
            redisServer.destroy();
            if (!redisServer.waitFor(10, TimeUnit.SECONDS)) {
                redisServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String findOnPath(String name) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean pings(int port) {
        try (RespTestClient c = RespTestClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            return c.text("PING").equals("+PONG");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** What redis-cli printed and how it exited. */
    private record CliResult(int exitCode, String output) {
        @Override
        public String toString() {
            return "exit=" + exitCode + " output=" + output.replace("\r", "\\r").replace("\n", "\\n")
                    .replace("\0", "\\0");
        }
    }

    private static CliResult cli(int port, String stdin, List<String> options, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(redisCli, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(options);
        command.addAll(Arrays.asList(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        }
        process.getOutputStream().close();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "redis-cli did not exit");
        return new CliResult(process.exitValue(), new String(output, StandardCharsets.ISO_8859_1));
    }

    /** The lines of an unordered reply (KEYS), sorted, without redis-cli's "N) " numbering. */
    private static String sortedLines(String text) {
        return String.join("\n", text.lines().map(line -> line.replaceFirst("^\\d+\\) ", "")).sorted().toList());
    }

    /** Runs each command with redis-cli (raw and formatted output) against both servers and compares. */
    private static void assertSameOutput(String[]... commands) throws Exception {
        List<String> differences = new ArrayList<>();
        for (String[] command : commands) {
            boolean unordered = command[0].equalsIgnoreCase("KEYS");
            for (List<String> mode : List.of(List.of("--no-raw"), List.of("--raw"))) {
                CliResult expected = cli(redisPort, null, mode, command);
                CliResult actual = cli(store.localAddress().getPort(), null, mode, command);
                if (unordered) {
                    expected = new CliResult(expected.exitCode(), sortedLines(expected.output()));
                    actual = new CliResult(actual.exitCode(), sortedLines(actual.output()));
                }
                if (!expected.equals(actual)) {
                    differences.add(String.join(" ", command) + " " + mode + "\n  redis-server: " + expected
                            + "\n  memfabric:    " + actual);
                }
            }
        }
        assertEquals("", String.join("\n", differences));
    }

    @Test
    void setGetDelExistsPrintTheSame() throws Exception {
        assertSameOutput(
                new String[] {"SET", "sg:k1", "hello world"},
                new String[] {"GET", "sg:k1"},
                new String[] {"GET", "sg:absent"},
                new String[] {"set", "sg:k2", "case-insensitive command"},
                new String[] {"SET", "sg:k3", "v", "NX"},
                new String[] {"SET", "sg:k3", "w", "NX"},
                new String[] {"SET", "sg:k3", "x", "XX", "GET"},
                new String[] {"SET", "sg:k4", "v", "XX"},
                new String[] {"SET", "sg:k4", "v", "BOGUS"},
                new String[] {"SET", "sg:k4", "v", "NX", "XX"},
                new String[] {"SET", "sg:empty", ""},
                new String[] {"GET", "sg:empty"},
                new String[] {"SET", "sg:utf8", "ünïcödé \u4e2d\u6587 \"quoted\" 'single'"},
                new String[] {"GET", "sg:utf8"},
                new String[] {"EXISTS", "sg:k1", "sg:k1", "sg:absent"},
                new String[] {"DEL", "sg:k1", "sg:absent", "sg:k1"},
                new String[] {"EXISTS", "sg:k1"},
                new String[] {"STRLEN", "sg:k2"},
                new String[] {"STRLEN", "sg:absent"});
    }

    @Test
    void countersPrintTheSame() throws Exception {
        assertSameOutput(
                new String[] {"INCRBY", "ct:n", "5"},
                new String[] {"INCRBY", "ct:n", "-12"},
                new String[] {"INCRBY", "ct:n", "0"},
                new String[] {"INCR", "ct:n"},
                new String[] {"DECR", "ct:n"},
                new String[] {"DECRBY", "ct:n", "3"},
                new String[] {"DECRBY", "ct:n", "-9223372036854775808"},
                new String[] {"INCRBY", "ct:n", "x"},
                new String[] {"INCRBY", "ct:n", "1.5"},
                new String[] {"INCRBY", "ct:n", "+1"},
                new String[] {"INCRBY", "ct:n", "9223372036854775808"},
                new String[] {"INCRBY", "ct:big", "9223372036854775807"},
                new String[] {"INCRBY", "ct:big", "1"},
                new String[] {"SET", "ct:text", "abc"},
                new String[] {"INCR", "ct:text"},
                new String[] {"SET", "ct:zero", "007"},
                new String[] {"INCR", "ct:zero"},
                new String[] {"INCRBY", "ct:n"},
                new String[] {"GET", "ct:n"});
    }

    @Test
    void appendAndRangesPrintTheSame() throws Exception {
        assertSameOutput(
                new String[] {"APPEND", "rg:a", "abc"},
                new String[] {"APPEND", "rg:a", "def"},
                new String[] {"APPEND", "rg:a", ""},
                new String[] {"APPEND", "rg:new", ""},
                new String[] {"GET", "rg:a"},
                new String[] {"GETRANGE", "rg:a", "0", "2"},
                new String[] {"GETRANGE", "rg:a", "-3", "-1"},
                new String[] {"GETRANGE", "rg:a", "2", "1"},
                new String[] {"GETRANGE", "rg:a", "-1", "-5"},
                new String[] {"GETRANGE", "rg:a", "0", "100"},
                new String[] {"GETRANGE", "rg:a", "-100", "100"},
                new String[] {"GETRANGE", "rg:absent", "0", "-1"},
                new String[] {"GETRANGE", "rg:a", "x", "1"},
                new String[] {"SETRANGE", "rg:r", "5", "xyz"},
                new String[] {"GET", "rg:r"},
                new String[] {"SETRANGE", "rg:r", "1", "AB"},
                new String[] {"SETRANGE", "rg:r", "0", ""},
                new String[] {"SETRANGE", "rg:r", "-1", "x"},
                new String[] {"SETRANGE", "rg:r", "x", "y"},
                new String[] {"SETRANGE", "rg:none", "3", ""},
                new String[] {"EXISTS", "rg:none"},
                new String[] {"GET", "rg:r"},
                new String[] {"STRLEN", "rg:r"},
                new String[] {"APPEND", "rg:a"});
    }

    @Test
    void keysPrintTheSameSetOfKeys() throws Exception {
        assertSameOutput(
                new String[] {"SET", "ks:hello", "1"},
                new String[] {"SET", "ks:hallo", "1"},
                new String[] {"SET", "ks:hxllo", "1"},
                new String[] {"SET", "ks:h*llo", "1"},
                new String[] {"SET", "ks:heeello", "1"},
                new String[] {"KEYS", "ks:*"},
                new String[] {"KEYS", "ks:h?llo"},
                new String[] {"KEYS", "ks:h[ae]llo"},
                new String[] {"KEYS", "ks:h[^e]llo"},
                new String[] {"KEYS", "ks:h[a-x]llo"},
                new String[] {"KEYS", "ks:h\\*llo"},
                new String[] {"KEYS", "ks:h*o"},
                new String[] {"KEYS", "nothing*"},
                new String[] {"KEYS"});
        CliResult expected = cli(redisPort, null, List.of("--scan", "--pattern", "ks:*"));
        CliResult actual = cli(store.localAddress().getPort(), null, List.of("--scan", "--pattern", "ks:*"));
        assertEquals(sortedLines(expected.output()), sortedLines(actual.output()), "redis-cli --scan");
    }

    @Test
    void connectionCommandsAndErrorsPrintTheSame() throws Exception {
        assertSameOutput(
                new String[] {"PING"},
                new String[] {"PING", "hello there"},
                new String[] {"PING", "a", "b"},
                new String[] {"ECHO", "echo me"},
                new String[] {"ECHO"},
                new String[] {"SELECT", "0"},
                new String[] {"SELECT", "x"},
                new String[] {"SELECT", "16"},
                new String[] {"GET"},
                new String[] {"SET", "only-key"},
                new String[] {"DEL"},
                new String[] {"FOO"},
                new String[] {"FOO", "bar", "baz"},
                new String[] {"foo", "Mixed", "case"},
                new String[] {"NOSUCH", "x".repeat(100), "y".repeat(100), "z"},
                new String[] {"N".repeat(200), "arg"},
                new String[] {"NOSUCH", "line\nbreak", "carriage\rreturn"},
                new String[] {"AUTH", "nopass-configured"},
                new String[] {"AUTH", "a", "b", "c"},
                new String[] {"SCAN", "x"},
                new String[] {"SCAN", "0", "COUNT", "0"},
                new String[] {"SCAN", "0", "BOGUS"},
                new String[] {"PUBLISH", "nobody-listens", "msg"},
                new String[] {"CONFIG", "GET", "save"},
                new String[] {"CONFIG", "GET", "appendonly"});
    }

    @Test
    void dbsizeAgreesAfterTheSameCommands() throws Exception {
        assertSameOutput(new String[] {"SET", "db:1", "x"}, new String[] {"DBSIZE"});
    }

    @Test
    void commandsPipedOnStdinPrintTheSame() throws Exception {
        String script = "SET pipe:k v1\nGET pipe:k\nAPPEND pipe:k 23\nINCR pipe:k\nSETRANGE pipe:k 0 9\nINCR pipe:k\n"
                + "GET pipe:k\nGET\nNOSUCH cmd\nPING\nECHO \"quoted words\"\n";
        for (List<String> mode : List.of(List.<String>of(), List.of("--no-raw"))) {
            CliResult expected = cli(redisPort, script, mode);
            CliResult actual = cli(store.localAddress().getPort(), script, mode);
            assertEquals(expected, actual, "stdin " + mode);
        }
    }

    /** Subscribes with redis-cli, publishes from another connection, and returns the first {@code lines} printed. */
    private static List<String> subscribeAndPublish(int port, String channel, Runnable publish, int lines)
            throws Exception {
        Process process = new ProcessBuilder(redisCli, "-h", "127.0.0.1", "-p", Integer.toString(port), "SUBSCRIBE",
                channel).redirectErrorStream(true).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                process.getInputStream(), StandardCharsets.ISO_8859_1))) {
            List<String> printed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                printed.add(out.readLine());
            }
            publish.run();
            for (int i = 3; i < lines; i++) {
                printed.add(out.readLine());
            }
            return printed;
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void subscribeFromRedisCliPrintsTheSameMessages() throws Exception {
        List<String> expected = subscribeAndPublish(redisPort, "news", () -> publish(redisPort, "news", "hello"), 6);
        int port = store.localAddress().getPort();
        List<String> actual = subscribeAndPublish(port, "news", () -> publish(port, "news", "hello"), 6);
        assertEquals(List.of("subscribe", "news", "1", "message", "news", "hello"), expected);
        assertEquals(expected, actual);
    }

    @Test
    void redisCliSeesLivenessEventsOnMfEvents() throws Exception {
        int port = store.localAddress().getPort();
        List<String> printed = subscribeAndPublish(port, "mf:events", () -> {
            try (RespTestClient rank = RespTestClient.connect(store)) {
                assertEquals("+OK", rank.text("MF.HELLO", "cli-watched", "7"));
            }
        }, 9);
        assertEquals(List.of("subscribe", "mf:events", "1", "message", "mf:events",
                "up rank=7 ns= name=cli-watched reason=hello", "message", "mf:events",
                "down rank=7 ns= name=cli-watched reason=disconnect"), printed);
    }

    private static void publish(int port, String channel, String message) {
        try (RespTestClient c = RespTestClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                port))) {
            assertEquals(":1", c.text("PUBLISH", channel, message));
        }
    }

    @Test
    void keysMatchesTheSameKeysAsRedisForRandomGlobs() {
        long seed = System.nanoTime();
        java.util.Random r = new java.util.Random(seed);
        String alphabet = "ab*?[]^-\\\u00e9";
        InetSocketAddress redis = new InetSocketAddress(InetAddress.getLoopbackAddress(), redisPort);
        try (RespTestClient expected = RespTestClient.connect(redis);
             RespTestClient actual = RespTestClient.connect(store)) {
            List<String> keys = new ArrayList<>(List.of("", "glob:"));
            for (int i = 0; i < 60; i++) {
                keys.add("glob:" + randomText(r, alphabet, 6));
            }
            for (String key : keys) {
                assertEquals(expected.text("SET", key, "1"), actual.text("SET", key, "1"));
            }
            for (int i = 0; i < 400; i++) {
                String pattern = (r.nextInt(4) == 0 ? "" : "glob:") + randomText(r, alphabet + "*?[", 7);
                assertEquals(sortedKeys(expected.call("KEYS", pattern)), sortedKeys(actual.call("KEYS", pattern)),
                        "KEYS '" + pattern + "' (seed=" + seed + ")");
            }
            for (String key : keys) {
                expected.text("DEL", key);
                actual.text("DEL", key);
            }
        }
    }

    private static String randomText(java.util.Random r, String alphabet, int maxLength) {
        StringBuilder text = new StringBuilder();
        int length = r.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static List<String> sortedKeys(io.memfabric.store.protocol.RespMessage reply) {
        return ((io.memfabric.store.protocol.RespMessage.Array) reply).elements().stream()
                .map(m -> ((io.memfabric.store.protocol.RespMessage.Bulk) m).latin1()).sorted().toList();
    }

    @Test
    void randomStandardCommandsAnswerExactlyLikeRedis() {
        long seed = System.nanoTime();
        java.util.Random r = new java.util.Random(seed);
        String[] keys = {"diff:a", "diff:b", "diff:c", "diff:n", ""};
        String[] values = {"", "0", "1", "-1", "10", "007", "-0", "+5", " 3", "abc", "9223372036854775807",
            "-9223372036854775808", "9223372036854775808", "hello world", "x\r\ny", "3.0"};
        String[][] shapes = {
            {"SET", "K", "V"}, {"SET", "K", "V", "NX"}, {"SET", "K", "V", "XX"}, {"SET", "K", "V", "GET"},
            {"SET", "K", "V", "NX", "GET"}, {"SET", "K"}, {"GET", "K"}, {"GET", "K", "K"}, {"DEL", "K", "K"},
            {"EXISTS", "K", "K", "K"}, {"INCR", "K"}, {"DECR", "K"}, {"INCRBY", "K", "V"}, {"DECRBY", "K", "V"},
            {"APPEND", "K", "V"}, {"SETRANGE", "K", "O", "V"}, {"GETRANGE", "K", "O", "O"}, {"STRLEN", "K"},
            {"ECHO", "V"}, {"PING"}, {"PING", "V"}, {"DBSIZE"}, {"SELECT", "O"}, {"MGETX", "K"}, {"INCRBY", "K"},
        };
        String[] offsets = {"0", "1", "2", "5", "-1", "-3", "100", "x", "-9223372036854775808", "9223372036854775807"};
        InetSocketAddress redis = new InetSocketAddress(InetAddress.getLoopbackAddress(), redisPort);
        try (RespTestClient expected = RespTestClient.connect(redis);
             RespTestClient actual = RespTestClient.connect(store)) {
            for (String key : keys) {
                expected.text("DEL", key);
                actual.text("DEL", key);
            }
            for (int i = 0; i < 3000; i++) {
                String[] shape = shapes[r.nextInt(shapes.length)];
                String[] command = new String[shape.length];
                for (int j = 0; j < shape.length; j++) {
                    command[j] = switch (shape[j]) {
                        case "K" -> keys[r.nextInt(keys.length)];
                        case "V" -> values[r.nextInt(values.length)];
                        case "O" -> offsets[r.nextInt(offsets.length)];
                        default -> shape[j];
                    };
                }
                if (command[0].equals("SELECT") && !command[1].equals("0") && isSmallInteger(command[1])) {
                    continue; // redis-server has 16 databases, the store one
                }
                String want = expected.text(command);
                String got = actual.text(command);
                assertEquals(want, got, "command #" + i + " " + String.join(" ", command) + " (seed=" + seed + ")");
            }
            for (String key : keys) {
                assertEquals(expected.text("GET", key), actual.text("GET", key), "final value of " + key);
                expected.text("DEL", key);
                actual.text("DEL", key);
            }
        }
    }

    private static boolean isSmallInteger(String text) {
        return text.matches("-?[0-9]{1,3}");
    }

    @Test
    void subscribedModeAnswersExactlyLikeRedis() {
        String[][] script = {
            {"SUBSCRIBE", "ch1"}, {"PING"}, {"PING", "hi"}, {"GET", "k"}, {"SET", "k", "v"}, {"SUBSCRIBE", "ch1"},
            {"PSUBSCRIBE", "p*"}, {"UNSUBSCRIBE", "nope"}, {"PUNSUBSCRIBE", "p*"}, {"UNSUBSCRIBE", "ch1"},
            {"UNSUBSCRIBE"}, {"PUNSUBSCRIBE"}, {"PING"}, {"SUBSCRIBE"}, {"PSUBSCRIBE", "a", "b"}, {"ECHO", "x"},
            {"PUNSUBSCRIBE", "a"}, {"PUNSUBSCRIBE", "b"}, {"ECHO", "back"},
        };
        InetSocketAddress redis = new InetSocketAddress(InetAddress.getLoopbackAddress(), redisPort);
        try (RespTestClient expected = RespTestClient.connect(redis);
             RespTestClient actual = RespTestClient.connect(store)) {
            for (String[] command : script) {
                int replies = command[0].endsWith("SUBSCRIBE") ? Math.max(1, command.length - 1) : 1;
                for (int n = 0; n < replies; n++) {
                    if (n == 0) {
                        expected.send(command);
                        actual.send(command);
                    }
                    assertEquals(expected.read().toString(), actual.read().toString(), String.join(" ", command));
                }
            }
        }
    }
}
