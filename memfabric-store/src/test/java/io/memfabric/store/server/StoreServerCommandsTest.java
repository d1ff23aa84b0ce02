package io.memfabric.store.server;

import io.memfabric.store.protocol.RespMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store behaviours upstream's {@code acc_config_store_test.cpp} checks (§11.4), in RESP terms, plus the replies of
 * the {@code MF.*} commands and the standard commands' edge cases.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreServerCommandsTest {
    private StoreServer server;
    private final List<RespTestClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = TestServers.start();
    }

    @AfterEach
    void stopServer() {
        clients.forEach(RespTestClient::close);
        if (server != null) {
            server.close();
        }
    }

    private RespTestClient client() {
        RespTestClient client = RespTestClient.connect(server);
        clients.add(client);
        return client;
    }

    @Test
    void setOnOneConnectionIsVisibleOnAnother() {
        RespTestClient a = client();
        RespTestClient b = client();
        assertEquals("+OK", a.text("SET", "grp/k", "v1"));
        assertEquals("$2:v1", b.text("GET", "grp/k"));
        assertEquals("$-1", b.text("GET", "absent"));
    }

    @Test
    void waitBlocksUntilTheKeyIsSet() {
        RespTestClient waiter = client();
        RespTestClient setter = client();
        waiter.send("MF.WAIT", "later", "-1");
        TestServers.await("a blocked wait", () -> server.blockedWaits() == 1);
        assertNull(waiter.poll(Duration.ofMillis(50)), "MF.WAIT answered before the key existed");
        assertEquals("+OK", setter.text("SET", "later", "here"));
        assertEquals("$4:here", waiter.read().toString());
    }

    @Test
    void waitReturnsAnExistingValueAtOnce() {
        RespTestClient c = client();
        c.text("SET", "k", "v");
        assertEquals("$1:v", c.text("MF.WAIT", "k", "-1"));
        assertEquals("$1:v", c.text("MF.WAIT", "k", "0"));
        assertEquals("$1:v", c.text("MF.WAIT", "k", "5000"));
    }

    @Test
    void incrByAccumulatesNegativeZeroAndLargeDeltas() {
        RespTestClient c = client();
        assertEquals(":5", c.text("INCRBY", "n", "5"));
        assertEquals(":-2", c.text("INCRBY", "n", "-7"));
        assertEquals(":-2", c.text("INCRBY", "n", "0"));
        assertEquals(":9223372036854775805", c.text("INCRBY", "n", "9223372036854775807"));
        assertEquals(":9223372036854775806", c.text("INCR", "n"));
        assertEquals(":9223372036854775805", c.text("DECR", "n"));
        assertEquals(":5", c.text("DECRBY", "n", "9223372036854775800"));
        assertEquals("$1:5", c.text("GET", "n"));
    }

    @Test
    void incrByOverflowAndNonIntegersAreRedisErrors() {
        RespTestClient c = client();
        c.text("SET", "max", "9223372036854775807");
        assertEquals("-ERR increment or decrement would overflow", c.text("INCRBY", "max", "1"));
        c.text("SET", "min", "-9223372036854775808");
        assertEquals("-ERR increment or decrement would overflow", c.text("DECR", "min"));
        assertEquals("-ERR decrement would overflow", c.text("DECRBY", "x", "-9223372036854775808"));
        assertEquals("-ERR value is not an integer or out of range", c.text("INCRBY", "x", "9223372036854775808"));
        assertEquals("-ERR value is not an integer or out of range", c.text("INCRBY", "x", "1.5"));
        c.text("SET", "text", "abc");
        assertEquals("-ERR value is not an integer or out of range", c.text("INCR", "text"));
        c.text("SET", "padded", " 1");
        assertEquals("-ERR value is not an integer or out of range", c.text("INCR", "padded"));
        assertEquals("$3:abc", c.text("GET", "text"));
    }

    @Test
    void waitWithATimeoutAnswersStoreTimeout() {
        RespTestClient c = client();
        assertEquals("-STORE_TIMEOUT MF.WAIT key=never after 50 ms", c.text("MF.WAIT", "never", "50"));
    }

    @Test
    void waitWithTimeoutZeroAnswersNilWhenAbsent() {
        assertEquals("$-1", client().text("MF.WAIT", "never", "0"));
    }

    @Test
    void waitRefusesABadTimeout() {
        RespTestClient c = client();
        assertTrue(c.text("MF.WAIT", "k", "-2").startsWith("-STORE_INVALID_MESSAGE MF.WAIT timeoutMs=-2 (expected:"));
        assertTrue(c.text("MF.WAIT", "k", "soon").startsWith("-STORE_INVALID_MESSAGE MF.WAIT timeoutMs=soon"));
    }

    @Test
    void appendReturnsTheCumulativeSizeAndConcatenates() {
        RespTestClient c = client();
        assertEquals(":3", c.text("APPEND", "a", "abc"));
        assertEquals(":5", c.text("APPEND", "a", "de"));
        assertEquals(":5", c.text("APPEND", "a", ""));
        assertEquals("$5:abcde", c.text("GET", "a"));
        assertEquals(":0", c.text("APPEND", "empty", ""));
        assertEquals(":1", c.text("EXISTS", "empty"));
        StringBuilder expected = new StringBuilder("abcde");
        for (int i = 0; i < 200; i++) {
            String piece = "[" + i + "]";
            expected.append(piece);
            assertEquals(":" + expected.length(), c.text("APPEND", "a", piece));
        }
        assertEquals("$" + expected.length() + ":" + expected, c.text("GET", "a"));
    }

    @Test
    void blockedWaitFailsWhenTheServerStops() {
        RespTestClient c = client();
        c.send("MF.WAIT", "never", "-1");
        TestServers.await("a blocked wait", () -> server.blockedWaits() == 1);
        server.close();
        RespMessage reply = c.read();
        assertEquals("-STORE_SHUTDOWN MF.WAIT key=never: the store server is stopping", reply.toString());
        assertTrue(c.awaitClosed(Duration.ofSeconds(10)));
    }

    @Test
    void watchIsNotifiedOnCreationWithIdAndValue() {
        RespTestClient watcher = client();
        RespTestClient setter = client();
        RespMessage id = watcher.call("MF.WATCH", "w/key");
        long watchId = assertInstanceOf(RespMessage.Integer.class, id).value();
        assertTrue(watchId > 0);
        setter.text("SET", "w/key", "value!");
        assertEquals("*[$8:mf:watch, :" + watchId + ", $6:value!]", watcher.read().toString());
        setter.text("DEL", "w/key");
        setter.text("SET", "w/key", "again");
        assertNull(watcher.poll(Duration.ofMillis(100)), "a watch is one-shot");
    }

    @Test
    void watchOfAnExistingKeyFiresRightAfterTheReply() {
        RespTestClient c = client();
        c.text("SET", "there", "1");
        RespMessage id = c.call("MF.WATCH", "there");
        assertEquals("*[$8:mf:watch, " + id + ", $1:1]", c.read().toString());
        assertEquals(":0", c.text("MF.UNWATCH", Long.toString(((RespMessage.Integer) id).value())));
    }

    @Test
    void unwatchSuppressesTheNotification() {
        RespTestClient watcher = client();
        long id = ((RespMessage.Integer) watcher.call("MF.WATCH", "quiet")).value();
        assertEquals(":1", watcher.text("MF.UNWATCH", Long.toString(id)));
        client().text("SET", "quiet", "x");
        assertEquals("+PONG", watcher.text("PING"), "no push may precede the PONG");
    }

    @Test
    void severalKeysCanBeWatchedAndEachFiresOnce() {
        RespTestClient watcher = client();
        RespTestClient setter = client();
        long[] ids = new long[5];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ((RespMessage.Integer) watcher.call("MF.WATCH", "multi/" + i)).value();
        }
        assertEquals(5, Arrays.stream(ids).distinct().count(), "ids are unique");
        for (int i = ids.length - 1; i >= 0; i--) {
            setter.text("SET", "multi/" + i, "v" + i);
            assertEquals("*[$8:mf:watch, :" + ids[i] + ", $2:v" + i + "]", watcher.read().toString());
        }
    }

    @Test
    void unwatchOfAnUnknownIdAnswersZero() {
        RespTestClient c = client();
        assertEquals(":0", c.text("MF.UNWATCH", "424242"));
        assertTrue(c.text("MF.UNWATCH", "x").startsWith("-STORE_INVALID_MESSAGE MF.UNWATCH id=x"));
    }

    @Test
    void unwatchOfAnotherConnectionsWatchAnswersZero() {
        RespTestClient owner = client();
        long id = ((RespMessage.Integer) owner.call("MF.WATCH", "owned")).value();
        assertEquals(":0", client().text("MF.UNWATCH", Long.toString(id)));
        client().text("SET", "owned", "1");
        assertEquals("*[$8:mf:watch, :" + id + ", $1:1]", owner.read().toString());
    }

    @Test
    void casCreatesIfAbsentWithEmptyExpected() {
        RespTestClient c = client();
        assertEquals("*[:1, $3:one]", c.text("MF.CAS", "cas", "", "one"));
        assertEquals("*[:0, $3:one]", c.text("MF.CAS", "cas", "", "two"));
        assertEquals("*[:0, $3:one]", c.text("MF.CAS", "cas", "wrong", "two"));
        assertEquals("*[:1, $3:two]", c.text("MF.CAS", "cas", "one", "two"));
        assertEquals("*[:0, $-1]", c.text("MF.CAS", "absent", "x", "y"));
        assertEquals(":0", c.text("EXISTS", "absent"));
    }

    @Test
    void casThatCreatesTheKeyWakesWaitersAndWatches() {
        RespTestClient waiter = client();
        RespTestClient watcher = client();
        waiter.send("MF.WAIT", "cas/new", "-1");
        TestServers.await("a blocked wait", () -> server.blockedWaits() == 1);
        long id = ((RespMessage.Integer) watcher.call("MF.WATCH", "cas/new")).value();
        assertEquals("*[:1, $2:v1]", client().text("MF.CAS", "cas/new", "", "v1"));
        assertEquals("$2:v1", waiter.read().toString());
        assertEquals("*[$8:mf:watch, :" + id + ", $2:v1]", watcher.read().toString());
    }

    @Test
    void everyCreatingCommandWakesWaiters() {
        String[][] creators = {
            {"SET", "c/set", "x"},
            {"APPEND", "c/append", "x"},
            {"SETRANGE", "c/setrange", "2", "x"},
            {"INCRBY", "c/incrby", "3"},
            {"INCR", "c/incr"},
        };
        String[] expected = {"$1:x", "$1:x", "$3:\0\0x", "$1:3", "$1:1"};
        for (int i = 0; i < creators.length; i++) {
            RespTestClient waiter = client();
            waiter.send("MF.WAIT", creators[i][1], "-1");
            TestServers.await("a blocked wait", () -> server.blockedWaits() == 1);
            client().call(creators[i]);
            assertEquals(expected[i], waiter.read().toString(), creators[i][0]);
        }
    }

    @Test
    void emptyKeyIsInvalidForMfCommands() {
        RespTestClient c = client();
        String expected = "-STORE_INVALID_KEY key length=0 (expected: 1..2048)";
        assertEquals(expected, c.text("MF.WAIT", "", "0"));
        assertEquals(expected, c.text("MF.CAS", "", "", "v"));
        assertEquals(expected, c.text("MF.WATCH", ""));
        assertEquals("+OK", c.text("SET", "", "redis allows the empty key"));
        assertEquals("+PONG", c.text("PING"));
    }

    @Test
    void emptyLargeSpecialAndBinaryValuesRoundTrip() {
        RespTestClient c = client();
        assertEquals("+OK", c.text("SET", "empty", ""));
        assertEquals("$0:", c.text("GET", "empty"));

        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        assertEquals("+OK", c.call(RespTestClient.bytes("SET"), RespTestClient.bytes("big"), big).toString());
        RespMessage.Bulk got = (RespMessage.Bulk) c.call("GET", "big");
        assertArrayEquals(big, got.bytes());

        String special = "line1\r\nline2\n\t\"quoted\" 'single' \\ $*:+- ünïcödé 中文";
        byte[] specialBytes = special.getBytes(StandardCharsets.UTF_8);
        c.call(RespTestClient.bytes("SET"), RespTestClient.bytes("special"), specialBytes);
        assertArrayEquals(specialBytes, ((RespMessage.Bulk) c.call("GET", "special")).bytes());

        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        byte[] binaryKey = {0, 1, '\r', '\n', (byte) 0xff, ' '};
        c.call(RespTestClient.bytes("SET"), binaryKey, binary);
        assertArrayEquals(binary, ((RespMessage.Bulk) c.call(RespTestClient.bytes("GET"), binaryKey)).bytes());
        assertArrayEquals(binary, ((RespMessage.Bulk) c.call(RespTestClient.bytes("MF.WAIT"), binaryKey,
                RespTestClient.bytes("0"))).bytes());
    }

    @Test
    void setRangeZeroPadsAndGetRangeSlicesLikeRedis() {
        RespTestClient c = client();
        assertEquals(":8", c.text("SETRANGE", "r", "5", "abc"));
        assertEquals("$8:\0\0\0\0\0abc", c.text("GET", "r"));
        assertEquals(":8", c.text("SETRANGE", "r", "0", "12"));
        assertEquals(":8", c.text("SETRANGE", "r", "3", ""));
        assertEquals(":0", c.text("SETRANGE", "none", "3", ""));
        assertEquals(":0", c.text("EXISTS", "none"));
        assertEquals("-ERR offset is out of range", c.text("SETRANGE", "r", "-1", "x"));
        assertEquals("-ERR string exceeds maximum allowed size (proto-max-bulk-len)",
                c.text("SETRANGE", "r", "67108864", "x"));
        c.text("SET", "s", "Hello World");
        assertEquals("$5:Hello", c.text("GETRANGE", "s", "0", "4"));
        assertEquals("$3:rld", c.text("GETRANGE", "s", "-3", "-1"));
        assertEquals("$11:Hello World", c.text("GETRANGE", "s", "0", "-1"));
        assertEquals("$0:", c.text("GETRANGE", "s", "5", "1"));
        assertEquals("$0:", c.text("GETRANGE", "s", "-1", "-5"));
        assertEquals("$0:", c.text("GETRANGE", "absent", "0", "-1"));
        assertEquals(":11", c.text("STRLEN", "s"));
        assertEquals(":0", c.text("STRLEN", "absent"));
        c.text("INCRBY", "num", "123456");
        assertEquals(":9", c.text("SETRANGE", "num", "7", "xy"));
        assertEquals("$9:123456\0xy", c.text("GET", "num"));
    }

    @Test
    void setOptionsNxXxAndGet() {
        RespTestClient c = client();
        assertEquals("$-1", c.text("SET", "o", "1", "XX"));
        assertEquals("+OK", c.text("SET", "o", "1", "NX"));
        assertEquals("$-1", c.text("SET", "o", "2", "NX"));
        assertEquals("$1:1", c.text("SET", "o", "3", "XX", "GET"));
        assertEquals("$1:3", c.text("GET", "o"));
        assertEquals("-ERR syntax error", c.text("SET", "o", "4", "NX", "XX"));
        assertEquals("-ERR syntax error", c.text("SET", "o", "4", "BOGUS"));
        assertTrue(c.text("SET", "o", "4", "EX", "10").startsWith("-ERR SET option 'EX' is not supported"));
    }

    @Test
    void delAndExistsCountKeysLikeRedis() {
        RespTestClient c = client();
        c.text("SET", "a", "1");
        c.text("SET", "b", "2");
        assertEquals(":3", c.text("EXISTS", "a", "b", "a", "zz"));
        assertEquals(":2", c.text("DEL", "a", "b", "a", "zz"));
        assertEquals(":0", c.text("DBSIZE"));
    }

    @Test
    void keysAndScanFollowRedisGlobs() {
        RespTestClient c = client();
        for (String key : List.of("hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "world")) {
            c.text("SET", key, "1");
        }
        assertEquals(List.of("h*llo", "hallo", "hello", "hxllo"), sortedKeys(c.call("KEYS", "h?llo")));
        assertEquals(List.of("h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"), sortedKeys(c.call("KEYS",
                "h*llo")));
        assertEquals(List.of("hallo", "hello"), sortedKeys(c.call("KEYS", "h[ae]llo")));
        assertEquals(List.of("h*llo", "hxllo"), sortedKeys(c.call("KEYS", "h[^ae]llo")));
        assertEquals(List.of("hallo", "hello"), sortedKeys(c.call("KEYS", "h[a-e]llo")));
        assertEquals(List.of("h*llo"), sortedKeys(c.call("KEYS", "h\\*llo")));
        assertEquals(7, sortedKeys(c.call("KEYS", "*")).size());

        List<String> scanned = new ArrayList<>();
        String cursor = "0";
        do {
            RespMessage.Array page = (RespMessage.Array) c.call("SCAN", cursor, "MATCH", "h*", "COUNT", "2");
            cursor = ((RespMessage.Bulk) page.elements().get(0)).latin1();
            scanned.addAll(sortedKeys(page.elements().get(1)));
        } while (!cursor.equals("0"));
        assertEquals(List.of("h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"), scanned.stream().sorted()
                .toList());
        assertEquals("-ERR invalid cursor", c.text("SCAN", "x"));
        assertEquals("-ERR syntax error", c.text("SCAN", "0", "COUNT", "0"));
        assertEquals("-ERR value is not an integer or out of range", c.text("SCAN", "0", "COUNT", "x"));
        assertEquals("-ERR syntax error", c.text("SCAN", "0", "FOO"));
    }

    private static List<String> sortedKeys(RespMessage reply) {
        return ((RespMessage.Array) reply).elements().stream().map(m -> ((RespMessage.Bulk) m).latin1()).sorted()
                .toList();
    }

    @Test
    void connectionCommandsAnswerLikeRedis() {
        RespTestClient c = client();
        assertEquals("+PONG", c.text("PING"));
        assertEquals("$2:hi", c.text("PING", "hi"));
        assertEquals("-ERR wrong number of arguments for 'ping' command", c.text("PING", "a", "b"));
        assertEquals("$3:abc", c.text("ECHO", "abc"));
        assertEquals("+OK", c.text("SELECT", "0"));
        assertEquals("-ERR DB index is out of range", c.text("SELECT", "1"));
        assertEquals("-ERR value is not an integer or out of range", c.text("SELECT", "x"));
        assertEquals("-ERR wrong number of arguments for 'get' command", c.text("GET"));
        assertEquals("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' ", c.text("FOO", "a", "b"));
        assertEquals("-ERR AUTH <password> called without any password configured for the default user. Are you "
                + "sure your configuration is correct?", c.text("AUTH", "x"));
        assertEquals("*[$4:save, $0:]", c.text("CONFIG", "GET", "save"));
        assertEquals("*[$10:appendonly, $2:no]", c.text("CONFIG", "GET", "appendonly"));
        assertEquals("*[]", c.text("COMMAND", "DOCS"));
        assertEquals("+OK", c.text("QUIT"));
        assertTrue(c.awaitClosed(Duration.ofSeconds(10)));
    }

    @Test
    void pipelinedRepliesComeInOrder() {
        RespTestClient c = client();
        for (int i = 0; i < 500; i++) {
            c.send("SET", "p" + i, Integer.toString(i));
            c.send("GET", "p" + i);
        }
        for (int i = 0; i < 500; i++) {
            assertEquals("+OK", c.read().toString());
            assertEquals("$" + Integer.toString(i).length() + ":" + i, c.read().toString());
        }
    }

    @Test
    void aBlockedConnectionQueuesLaterCommandsInOrder() {
        RespTestClient c = client();
        c.send("MF.WAIT", "gate", "-1");
        c.send("PING");
        c.send("GET", "gate");
        c.send("MF.WAIT", "gate2", "100");
        c.send("ECHO", "last");
        TestServers.await("a blocked wait", () -> server.blockedWaits() == 1);
        assertNull(c.poll(Duration.ofMillis(50)), "nothing may pass the blocked MF.WAIT");
        client().text("SET", "gate", "open");
        assertEquals("$4:open", c.read().toString());
        assertEquals("+PONG", c.read().toString());
        assertEquals("$4:open", c.read().toString());
        assertEquals("-STORE_TIMEOUT MF.WAIT key=gate2 after 100 ms", c.read().toString());
        assertEquals("$4:last", c.read().toString());
    }

    @Test
    void thousandsOfCommandsQueuedBehindAWaitAreAnsweredInOrder() {
        RespTestClient c = client();
        c.send("MF.WAIT", "dam", "-1");
        TestServers.await("a blocked wait", () -> server.blockedWaits() == 1);
        int queued = 5000;
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < queued; i++) {
            pipeline.append("*2\r\n$4\r\nECHO\r\n$").append(Integer.toString(i).length()).append("\r\n").append(i)
                    .append("\r\n");
        }
        c.sendRaw(pipeline.toString().getBytes(StandardCharsets.US_ASCII));
        assertEquals("+PONG", client().text("PING"), "other connections are served meanwhile");
        client().text("SET", "dam", "open");
        assertEquals("$4:open", c.read().toString());
        for (int i = 0; i < queued; i++) {
            assertEquals("$" + Integer.toString(i).length() + ":" + i, c.read().toString());
        }
        assertEquals("+PONG", c.text("PING"));
    }

    @Test
    void publishReachesSubscribersOfChannelsAndPatterns() {
        RespTestClient sub = client();
        RespTestClient psub = client();
        assertEquals("*[$9:subscribe, $4:news, :1]", sub.text("SUBSCRIBE", "news"));
        assertEquals("*[$10:psubscribe, $2:n*, :1]", psub.text("PSUBSCRIBE", "n*"));
        assertEquals(":2", client().text("PUBLISH", "news", "hello"));
        assertEquals("*[$7:message, $4:news, $5:hello]", sub.read().toString());
        assertEquals("*[$8:pmessage, $2:n*, $4:news, $5:hello]", psub.read().toString());
        assertEquals("*[$4:pong, $0:]", sub.text("PING"));
        assertTrue(sub.text("GET", "x").startsWith("-ERR Can't execute 'get'"));
        long id = ((RespMessage.Integer) sub.call("MF.WATCH", "sub/w")).value();
        client().text("SET", "sub/w", "1");
        assertEquals("*[$8:mf:watch, :" + id + ", $1:1]", sub.read().toString());
        assertEquals("*[$11:unsubscribe, $4:news, :0]", sub.text("UNSUBSCRIBE"));
        assertEquals("$-1", sub.text("GET", "x"));
    }

    @Test
    void closedConnectionsAreForgotten() throws Exception {
        RespTestClient waiter = client();
        waiter.send("MF.WAIT", "gone", "-1");
        TestServers.await("a blocked wait", () -> server.blockedWaits() == 1);
        RespTestClient watcher = client();
        watcher.call("MF.WATCH", "gone");
        RespTestClient subscriber = client();
        subscriber.call("SUBSCRIBE", "ch");
        assertEquals(3, server.connectedClients());
        waiter.close();
        watcher.close();
        subscriber.close();
        awaitClients(0);
        assertEquals(0, server.blockedWaits());
        RespTestClient c = client();
        assertEquals("+OK", c.text("SET", "gone", "1"));
        assertEquals(":0", c.text("PUBLISH", "ch", "x"));
    }

    private void awaitClients(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.connectedClients() != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, server.connectedClients());
    }

    @Test
    void waitReplyAndTimeoutNeverBothArrive() throws Exception {
        RespTestClient c = client();
        RespTestClient setter = client();
        for (int i = 0; i < 50; i++) {
            String key = "race/" + i;
            c.send("MF.WAIT", key, "5");
            CompletableFuture<String> set = CompletableFuture.supplyAsync(() -> setter.text("SET", key, "v"));
            String reply = c.read().toString();
            assertTrue(reply.equals("$1:v") || reply.startsWith("-STORE_TIMEOUT"), reply);
            set.get(10, TimeUnit.SECONDS);
        }
        assertEquals("+PONG", c.text("PING"));
        assertFalse(c.socket().isClosed());
    }
}
