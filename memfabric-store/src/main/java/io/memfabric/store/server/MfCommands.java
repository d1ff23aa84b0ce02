package io.memfabric.store.server;

import io.memfabric.error.ErrorCode;
import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.memfabric.store.server.ArgumentChecks.equalsIgnoreCase;
import static io.memfabric.store.server.ArgumentChecks.error;
import static io.memfabric.store.server.ArgumentChecks.printable;

/**
 * memfabric's own commands: {@code MF.WAIT}, {@code MF.CAS}, {@code MF.WATCH}, {@code MF.UNWATCH}, {@code MF.HELLO}
 * and {@code MF.RANK} (their replies are in the package documentation). Their errors open with an
 * {@link ErrorCode} name followed by a message naming the value.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class MfCommands {
    /** Longest {@code MF.WAIT} deadline: far beyond any use, and small enough not to overflow nanoseconds. */
    static final long MAX_WAIT_MS = TimeUnit.DAYS.toMillis(365);

    private final StoreEngine engine;
    private final Keyspace keyspace;
    private final ArgumentChecks checks;

    MfCommands(StoreEngine engine, ArgumentChecks checks) {
        this.engine = engine;
        this.keyspace = engine.keyspace();
        this.checks = checks;
    }

    /** {@code MF.WAIT key timeoutMs}: the value; or, when absent, nil (0), a block (-1) or a block with a deadline. */
    void waitFor(ClientSession c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!checks.mfKeyOk(c, key)) {
            return;
        }
        byte[] timeoutArg = command.arg(2);
        long timeoutMs = checks.integerOr(timeoutArg, Long.MIN_VALUE);
        if (timeoutMs < -1 || timeoutMs > MAX_WAIT_MS) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.WAIT timeoutMs=" + printable(timeoutArg)
                    + " (expected: -1 (forever), 0 (check once) or 1.." + MAX_WAIT_MS + ")");
            return;
        }
        StoreKey storeKey = new StoreKey(key);
        Keyspace.Entry entry = keyspace.get(storeKey);
        if (entry != null || timeoutMs == 0) {
            StringCommands.writeValue(c, entry);
        } else {
            c.block(engine.waits().add(c, storeKey, timeoutMs));
        }
    }

    /** {@code MF.CAS key expected new}: {@code *2 :1|:0 $current}; empty {@code expected} creates if absent. */
    void compareAndSet(ClientSession c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!checks.mfKeyOk(c, key)) {
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
            StringCommands.writeValue(c, entry);
            return;
        }
        out.writeBytes(Replies.CAS_SWAPPED);
        RespWriter.bulk(out, update);
        engine.store(storeKey, entry, update);
    }

    /** {@code MF.WATCH key}: {@code :id}, then one {@code mf:watch} push when the key exists (at once if it does). */
    void watch(ClientSession c, RespCommand command) {
        byte[] key = command.arg(1);
        if (!checks.mfKeyOk(c, key)) {
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

    /** {@code MF.UNWATCH id}: {@code :1} when a pending watch of this connection was removed, {@code :0} otherwise. */
    void unwatch(ClientSession c, RespCommand command) {
        byte[] idArg = command.arg(1);
        if (!checks.isInteger(idArg, idArg.length)) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.UNWATCH id=" + printable(idArg) + " (expected: an integer)");
            return;
        }
        long id = checks.value();
        Watches.Watch removed = engine.watches().remove(id, c);
        if (removed != null) {
            c.watchIds().remove(id);
        }
        RespWriter.integer(c.out(), removed != null ? 1 : 0);
    }

    /** {@code MF.HELLO name [rank [periodMs]]}: identity and heartbeat period for liveness. */
    void hello(ClientSession c, RespCommand command) {
        if (command.size() > 4) {
            ArgumentChecks.wrongArity(c, "mf.hello");
            return;
        }
        byte[] name = command.arg(1);
        if (!checks.nameOk(c, "MF.HELLO name", name)) {
            return;
        }
        int rank = -1;
        if (command.size() >= 3) {
            byte[] rankArg = command.arg(2);
            long value = checks.integerOr(rankArg, Long.MIN_VALUE);
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
            long value = checks.integerOr(periodArg, Long.MIN_VALUE);
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

    /**
     * {@code MF.RANK worldSize [rank] [NS namespace] [RECLAIM]}: {@code :rank}. {@code RECLAIM} (with an explicit
     * rank) says the client held that rank before the store restarted: it is granted also while the reclaim window is
     * open, when other requests are answered {@code -TRYAGAIN}.
     */
    void rank(ClientSession c, RespCommand command) {
        byte[] worldArg = command.arg(1);
        long worldSize = checks.integerOr(worldArg, Long.MIN_VALUE);
        if (worldSize < 1 || worldSize > RankTable.MAX_WORLD_SIZE) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.RANK worldSize=" + printable(worldArg) + " (expected: 1.."
                    + RankTable.MAX_WORLD_SIZE + ")");
            return;
        }
        int i = 2;
        long rank = -1;
        if (i < command.size() && !equalsIgnoreCase(command.arg(i), "NS")
                && !equalsIgnoreCase(command.arg(i), "RECLAIM")) {
            byte[] rankArg = command.arg(i);
            rank = checks.integerOr(rankArg, Long.MIN_VALUE);
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
            if (nsArg.length > 0 && !checks.nameOk(c, "MF.RANK namespace", nsArg)) {
                return;
            }
            namespace = new String(nsArg, StandardCharsets.ISO_8859_1);
            i += 2;
        }
        boolean reclaim = i < command.size() && equalsIgnoreCase(command.arg(i), "RECLAIM");
        if (reclaim) {
            i++;
        }
        if (i != command.size()) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.RANK syntax error (expected: MF.RANK worldSize [rank] "
                    + "[NS namespace] [RECLAIM])");
            return;
        }
        if (reclaim && rank < 0) {
            error(c, ErrorCode.STORE_INVALID_MESSAGE, "MF.RANK RECLAIM needs the rank held before (expected: "
                    + "MF.RANK worldSize rank [NS namespace] RECLAIM)");
            return;
        }
        if (rank >= worldSize) {
            error(c, ErrorCode.STORE_RANK_UNAVAILABLE, "rank=" + rank + " ns=" + namespace + " (expected: 0.."
                    + (worldSize - 1) + " for worldSize=" + worldSize + ")");
            return;
        }
        engine.assignRank(c, namespace, (int) worldSize, (int) rank, reclaim);
    }
}
