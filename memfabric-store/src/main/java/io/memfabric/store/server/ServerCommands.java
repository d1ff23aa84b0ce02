package io.memfabric.store.server;

import io.memfabric.store.protocol.RespCommand;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.memfabric.store.server.ArgumentChecks.cString;
import static io.memfabric.store.server.ArgumentChecks.equalsIgnoreCase;

/**
 * The connection and server commands: {@code PING}, {@code ECHO}, {@code AUTH}, {@code SELECT}, {@code QUIT},
 * {@code CONFIG GET}, {@code COMMAND} and {@code INFO}, answered as redis-server 7 does.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class ServerCommands {
    private static final byte[] DEFAULT_USER = "default".getBytes(StandardCharsets.US_ASCII);

    private final StoreEngine engine;
    private final ArgumentChecks checks;
    private final byte[] authSecret;

    ServerCommands(StoreEngine engine, ArgumentChecks checks) {
        this.engine = engine;
        this.checks = checks;
        this.authSecret = engine.options().authSecret().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    void ping(ClientSession c, RespCommand command) {
        if (command.size() > 2) {
            ArgumentChecks.wrongArity(c, "ping");
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

    void echo(ClientSession c, RespCommand command) {
        RespWriter.bulk(c.out(), command.arg(1));
    }

    void quit(ClientSession c) {
        c.out().writeBytes(Replies.OK);
        c.closeAfterReply();
    }

    void command(ClientSession c) {
        c.out().writeBytes(Replies.EMPTY_ARRAY);
    }

    void auth(ClientSession c, RespCommand command) {
        if (command.size() > 3) {
            c.out().writeBytes(Replies.SYNTAX_ERROR);
            return;
        }
        boolean defaultUser = command.size() == 2 || Arrays.equals(command.arg(1), DEFAULT_USER);
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
            if (c.authenticated() || engine.authenticated(c)) {
                c.out().writeBytes(Replies.OK);
            } else {
                c.out().writeBytes(Replies.MAX_CLIENTS);
                c.closeAfterReply();
            }
            return;
        }
        long delayNs = engine.authFailures().failed(c.remoteAddress());
        engine.log().warn("wrong AUTH", "store client {} sent a wrong AUTH password; answered after {} ms",
                c.remoteAddress(), delayNs / 1_000_000);
        if (delayNs > 0) {
            c.answerLater(Replies.WRONGPASS, delayNs);
        } else {
            c.out().writeBytes(Replies.WRONGPASS);
        }
    }

    void select(ClientSession c, RespCommand command) {
        if (!checks.integer(c, command.arg(1))) {
            return;
        }
        long value = checks.value();
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
     * counts connections waiting in {@code MF.WAIT}), {@code stats} (connections refused or closed by the limits),
     * {@code memfabric} (watches, waits) and {@code keyspace}. No
     * section, {@code all} or {@code default} gives every section.
     */
    void info(ClientSession c, RespCommand command) {
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
        if (all || wanted.contains("stats")) {
            sb.append("# Stats\r\n").append("rejected_connections:").append(engine.rejectedConnections())
                    .append("\r\n").append("client_output_buffer_limit_disconnections:")
                    .append(engine.outputLimits().disconnections()).append("\r\n")
                    .append("acl_access_denied_auth:").append(engine.authFailures().failures()).append("\r\n")
                    .append("unauthenticated_timeouts:").append(engine.unauthenticated().timeouts()).append("\r\n")
                    .append("unauthenticated_evictions:").append(engine.unauthenticated().evictions())
                    .append("\r\n\r\n");
        }
        if (all || wanted.contains("memfabric")) {
            sb.append("# Memfabric\r\n").append("pending_waits:").append(engine.waits().size()).append("\r\n")
                    .append("unauthenticated_clients:").append(engine.unauthenticated().size()).append("\r\n")
                    .append("rank_reclaim_window_open:").append(engine.reclaimWindow().isOpen() ? 1 : 0)
                    .append("\r\n")
                    .append("pending_watches:").append(engine.watches().size()).append("\r\n\r\n");
        }
        if (all || wanted.contains("keyspace")) {
            sb.append("# Keyspace\r\n");
            int keys = engine.keyspace().size();
            if (keys > 0) {
                sb.append("db0:keys=").append(keys).append(",expires=0,avg_ttl=0\r\n");
            }
        }
        RespWriter.bulk(c.out(), sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * {@code CONFIG GET pattern...}: answers the few parameters clients ask for on start (redis-benchmark reads
     * {@code save} and {@code appendonly}) with what is true of this store: it never persists.
     */
    void config(ClientSession c, RespCommand command) {
        byte[] sub = command.arg(1);
        if (!equalsIgnoreCase(sub, "GET")) {
            ArgumentChecks.error(c, "ERR unknown subcommand '" + cString(sub, 128) + "'. Try CONFIG HELP.");
            return;
        }
        if (command.size() < 3) {
            ArgumentChecks.wrongArity(c, "config|get");
            return;
        }
        String[][] parameters = {
            {"save", ""},
            {"appendonly", "no"},
            {"databases", "1"},
            {"maxclients", Integer.toString(engine.options().maxClients())},
            {"proto-max-bulk-len", Long.toString(engine.options().maxValueBytes())},
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
}
