package io.memfabric.systemtest;

import io.memfabric.common.CloseHelper;
import io.memfabric.memory.MemoryConfig;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.testsupport.FreePorts;
import io.memfabric.testsupport.RankProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TransferEngine across real JVMs ({@link TransEngineMain}): upstream's {@code smem_trans_test} list (§11.3) over IPv4
 * and IPv6 loopback — write, read, async, batch, allocate/free, a transfer after unregister, odd alignment — plus bad
 * input, a third engine coming and going while two transfer, {@code kill -9} of a peer mid-transfer, and a store
 * restart. Every byte is checked on the side it lands.
 */
@Timeout(240)
class TransSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    /** Two heartbeats of the store, with room for a loaded machine: a killed peer is reported at once. */
    private static final Duration DOWN_BOUND = Duration.ofSeconds(10);

    private final List<RankProcess> engines = new ArrayList<>();
    private String testName;
    private StoreServer store;
    private Path shmDir;

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName()
                + info.getDisplayName().replaceAll("[^A-Za-z0-9]", "");
        shmDir = Files.createTempDirectory(Path.of(MemoryConfig.SHM_DIR_DEFAULT), "mftrans-");
    }

    @AfterEach
    void tearDown() throws IOException {
        engines.forEach(RankProcess::close);
        CloseHelper.quietClose(store);
        try (Stream<Path> files = Files.walk(shmDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private String startStore(String host, int port) {
        store = StoreServer.start(StoreServerOptions.builder().listen(new InetSocketAddress(host, port))
                .heartbeatPeriod(HEARTBEAT).build());
        return store.url().toString();
    }

    private RankProcess engine(String name, String storeUrl, String session, String role) {
        RankProcess p = RankProcess.builder(TransEngineMain.class).testName(testName).name(name)
                .property(MemoryConfig.SHM_DIR_PROP, shmDir.toString())
                .property("memfabric.store.heartbeat.period", HEARTBEAT.toMillis() + "ms")
                .args(storeUrl, session, role).start();
        engines.add(p);
        p.awaitLine(Pattern.compile("^open session="), WAIT);
        return p;
    }

    /** Sends a command and returns the first line that answers it (matching {@code answer}). */
    private static Matcher ask(RankProcess p, String command, String answer) {
        int from = p.lines().size();
        p.send(command);
        return p.awaitLine(Pattern.compile(answer), from, WAIT);
    }

    private static String address(RankProcess p, String command, String kind) {
        return ask(p, command, "^" + kind + " \\S+ address=([0-9a-f]+)$").group(1);
    }

    private static String session(String host) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + FreePorts.next();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void upstreamsTransferListShouldPassBetweenASenderAndAReceiver(String host) {
        String url = startStore(host, 0);
        String receiverSession = session(host);
        RankProcess receiver = engine("receiver", url, receiverSession, "RECEIVER");
        RankProcess sender = engine("sender", url, session(host), "SENDER");

        // Registered user memory with an odd alignment and size: write, read, async write.
        String buf = address(receiver, "register buf 4194301 3", "registered");
        ask(sender, "local src 4194301", "^local src$");
        ask(sender, "fill src 7", "^filled src$");
        ask(sender, "write " + receiverSession + " src " + buf + " 4194301", "^ok write$");
        ask(receiver, "verify buf 0 4194301 7", "^verified buf$");
        ask(sender, "local back 4194301", "^local back$");
        ask(sender, "read " + receiverSession + " back " + buf + " 4194301", "^ok read$");
        ask(sender, "verify back 0 4194301 7", "^verified back$");
        ask(sender, "fill src 8", "^filled src$");
        ask(sender, "writeasync " + receiverSession + " src " + buf + " 1048576", "^ok writeasync$");
        ask(receiver, "verify buf 0 1048576 8", "^verified buf$");

        // The KV batch into allocated (pool) memory: 61 layers of 128 KiB + 16 KiB, 122 blocks in one call.
        String kv = address(receiver, "allocate kv 8994816", "allocated");
        ask(sender, "local kvsrc 8994816", "^local kvsrc$");
        ask(sender, "fill kvsrc 11", "^filled kvsrc$");
        ask(sender, "kv " + receiverSession + " kvsrc " + kv + " 61", "^kv failed=0$");
        ask(receiver, "verify kv 0 8994816 11", "^verified kv$");
        ask(receiver, "allocate big 134217728", "^allocated big ");
        ask(receiver, "free big", "^freed big$");

        // Bad input: past the region's end (nothing written), unknown and malformed sessions.
        ask(sender, "fill src 9", "^filled src$");
        long past = Long.parseUnsignedLong(buf, 16) + 4194301 - 100;
        ask(sender, "write " + receiverSession + " src " + Long.toHexString(past) + " 101",
                "^error ADDRESS_OUT_OF_RANGE .*" + Pattern.quote(receiverSession) + ".*length=101");
        ask(receiver, "verify buf 0 1048576 8", "^verified buf$");
        ask(sender, "write " + session(host) + " src " + buf + " 64", "^error PEER_UNAVAILABLE .*unknown");
        ask(sender, "write localhost:5000 src " + buf + " 64", "^error INVALID_PARAM .*localhost:5000");
        // A SENDER does not see another SENDER.
        RankProcess sender2 = engine("sender2", url, session(host), "SENDER");
        String other = ask(sender2, "register s2 4096 0", "^registered s2 address=([0-9a-f]+)$").group(1);
        String sender2Session = sender2.lines().get(0).split(" ")[1].substring("session=".length());
        ask(sender, "write " + sender2Session + " src " + other + " 64", "^error INVALID_PARAM .*SENDER");

        // A transfer after unregister fails cleanly; after free too.
        ask(receiver, "unregister buf", "^unregistered buf$");
        ask(sender, "write " + receiverSession + " src " + buf + " 64", "^error ADDRESS_OUT_OF_RANGE ");
        ask(receiver, "free kv", "^freed kv$");
        ask(sender, "kv " + receiverSession + " kvsrc " + kv + " 61", "^kv failed=122 first=.*ADDRESS_OUT_OF_RANGE|"
                + "^kv failed=122 ");

        ask(sender, "close", "^closed$");
        ask(receiver, "close", "^closed$");
        assertEquals(0, sender.exitCode(WAIT));
        assertEquals(0, receiver.exitCode(WAIT));
    }

    @Test
    void aThirdEngineShouldComeAndGoWhileTwoTransferAndAKilledPeerShouldFailTypedAtOnce() {
        String url = startStore("127.0.0.1", 0);
        String r1 = session("127.0.0.1");
        RankProcess receiver1 = engine("receiver1", url, r1, "RECEIVER");
        RankProcess sender = engine("sender", url, session("127.0.0.1"), "SENDER");
        String buf1 = address(receiver1, "register buf 1048576 0", "registered");
        ask(sender, "local src 1048576", "^local src$");
        ask(sender, "loop " + r1 + " src " + buf1 + " 1048576", "^loop [1-9]");

        // A third engine opens, takes part, and closes; the loop to receiver1 never errs.
        String r2 = session("127.0.0.1");
        RankProcess receiver2 = engine("receiver2", url, r2, "RECEIVER");
        String buf2 = address(receiver2, "register buf 65536 0", "registered");
        ask(sender, "local s2 65536", "^local s2$");
        ask(sender, "fill s2 5", "^filled s2$");
        ask(sender, "write " + r2 + " s2 " + buf2 + " 65536", "^ok write$");
        ask(receiver2, "verify buf 0 65536 5", "^verified buf$");
        ask(receiver2, "close", "^closed$");
        sender.awaitLine(Pattern.compile("^peerdown " + Pattern.quote(r2) + "$"), DOWN_BOUND);
        ask(sender, "write " + r2 + " s2 " + buf2 + " 64", "^error PEER_UNAVAILABLE ");
        long rounds = loopRounds(sender);
        sender.awaitLine(Pattern.compile("^loop (\\d+)$"), sender.lines().size(), WAIT);
        assertTrue(sender.lines().stream().noneMatch(l -> l.startsWith("loop error")), "no loop error so far");
        assertTrue(loopRounds(sender) >= rounds);

        // kill -9 of receiver1 mid-loop: the sender's transfers to it fail typed, promptly.
        long killedNs = System.nanoTime();
        receiver1.kill();
        sender.awaitLine(Pattern.compile("^loop error PEER_UNAVAILABLE "), DOWN_BOUND);
        long failedMs = (System.nanoTime() - killedNs) / 1_000_000;
        sender.awaitLine(Pattern.compile("^peerdown " + Pattern.quote(r1) + "$"), DOWN_BOUND);
        assertTrue(failedMs < DOWN_BOUND.toMillis(), "failed after " + failedMs + " ms");
        ask(sender, "stop", "^stopped \\d+$");
        assertTrue(sender.lines().stream().noneMatch(l -> l.startsWith("loop mismatch")), "every round verified");
    }

    @Test
    void transfersShouldGoOnThroughAStoreRestartAndPeersResolveAfterIt() throws Exception {
        int port = FreePorts.next();
        String url = startStore("127.0.0.1", port);
        String r1 = session("127.0.0.1");
        RankProcess receiver = engine("receiver", url, r1, "RECEIVER");
        RankProcess sender = engine("sender", url, session("127.0.0.1"), "SENDER");
        String buf = address(receiver, "register buf 1048576 0", "registered");
        ask(sender, "local src 1048576", "^local src$");
        ask(sender, "loop " + r1 + " src " + buf + " 1048576", "^loop [1-9]");

        store.close(); // the store goes away with every record
        long before = loopRounds(sender);
        sender.awaitLine(Pattern.compile("^loop (\\d+)$"), sender.lines().size(), WAIT);
        assertTrue(loopRounds(sender) > before, "the data plane does not need the store");
        startStore("127.0.0.1", port); // an empty store on the same address: records are re-published

        // A new sender resolves the receiver through the new store.
        RankProcess late = engine("late", url, session("127.0.0.1"), "SENDER");
        ask(late, "local x 4096", "^local x$");
        ask(late, "fill x 3", "^filled x$");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Matcher m = ask(late, "write " + r1 + " x " + buf + " 4096", "^(ok write|error .*)$");
            if (m.group(1).equals("ok write")) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "the receiver was not re-published: " + m.group(1));
            Thread.sleep(100);
        }
        ask(sender, "stop", "^stopped \\d+$");
        assertTrue(sender.lines().stream().noneMatch(l -> l.startsWith("loop mismatch")), "every round verified");
        assertTrue(sender.lines().stream().noneMatch(l -> l.startsWith("loop error")),
                "the store restart did not disturb the transfers");
    }

    @Test
    void twoEnginesWithoutAStoreShouldTransferByTheirSessionsAlone() {
        String receiverSession = session("127.0.0.1");
        RankProcess receiver = engine("receiver", "none", receiverSession, "RECEIVER");
        RankProcess sender = engine("sender", "none", session("127.0.0.1"), "SENDER");
        String kv = address(receiver, "allocate kv 8994816", "allocated");
        String buf = address(receiver, "register buf 1048576 5", "registered");
        ask(sender, "local kvsrc 8994816", "^local kvsrc$");
        ask(sender, "fill kvsrc 21", "^filled kvsrc$");
        ask(sender, "kv " + receiverSession + " kvsrc " + kv + " 61", "^kv failed=0$");
        ask(receiver, "verify kv 0 8994816 21", "^verified kv$");
        ask(sender, "write " + receiverSession + " kvsrc " + buf + " 1048576", "^ok write$");
        ask(receiver, "verify buf 0 1048576 21", "^verified buf$");
        receiver.kill();
        ask(sender, "write " + receiverSession + " kvsrc " + buf + " 1048576", "^error PEER_UNAVAILABLE ");
    }

    private static long loopRounds(RankProcess p) {
        List<String> lines = p.lines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = Pattern.compile("^loop (\\d+)$").matcher(lines.get(i));
            if (m.matches()) {
                return Long.parseLong(m.group(1));
            }
        }
        return 0;
    }
}
