package io.memfabric.store.server;

import io.memfabric.store.protocol.RespCommand;

import static io.memfabric.store.server.ArgumentChecks.keysFrom;

/**
 * Runs one command for one connection: finds it, applies the checks every command shares, in redis-server's order
 * (unknown command, arity, authentication, subscribed mode), and hands it to its family, which checks its own
 * arguments (through {@link ArgumentChecks}) and writes the reply. The families: {@link ServerCommands} (connection
 * and server), {@link StringCommands}, {@link KeyCommands}, {@link CounterCommands}, {@link PubSub} and
 * {@link MfCommands} (memfabric's own).
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class CommandDispatcher {
    private final ServerCommands server;
    private final StringCommands strings;
    private final KeyCommands keys;
    private final CounterCommands counters;
    private final MfCommands mf;
    private final PubSub pubSub;

    CommandDispatcher(StoreEngine engine) {
        ArgumentChecks checks = new ArgumentChecks(engine.options().maxKeyBytes());
        this.server = new ServerCommands(engine, checks);
        this.strings = new StringCommands(engine, checks);
        this.keys = new KeyCommands(engine.keyspace(), checks);
        this.counters = new CounterCommands(engine, checks);
        this.mf = new MfCommands(engine, checks);
        this.pubSub = engine.pubSub();
    }

    /** Runs {@code command} for {@code c}; the reply goes into {@code c.out()}. */
    void execute(ClientSession c, RespCommand command) {
        Command cmd = Command.lookup(command.arg(0));
        if (cmd == null) {
            ArgumentChecks.unknownCommand(c, command);
            return;
        }
        if (!cmd.arityOk(command.size())) {
            ArgumentChecks.wrongArity(c, cmd.displayName());
            return;
        }
        if (!c.authenticated() && !cmd.allowedBeforeAuth()) {
            c.out().writeBytes(Replies.NOAUTH);
            return;
        }
        if (c.subscriptionCount() > 0 && !cmd.allowedWhenSubscribed()) {
            ArgumentChecks.error(c, "ERR Can't execute '" + cmd.displayName() + "': only (P|S)SUBSCRIBE / "
                    + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }
        switch (cmd) {
            case GET -> strings.get(c, command);
            case SET -> strings.set(c, command);
            case APPEND -> strings.append(c, command);
            case SETRANGE -> strings.setRange(c, command);
            case GETRANGE -> strings.getRange(c, command);
            case STRLEN -> strings.strlen(c, command);
            case DEL -> keys.del(c, command);
            case EXISTS -> keys.exists(c, command);
            case DBSIZE -> keys.dbsize(c);
            case KEYS -> keys.keys(c, command);
            case SCAN -> keys.scan(c, command);
            case INCR -> counters.add(c, command.arg(1), 1);
            case DECR -> counters.add(c, command.arg(1), -1);
            case INCRBY -> counters.incrBy(c, command);
            case DECRBY -> counters.decrBy(c, command);
            case PING -> server.ping(c, command);
            case ECHO -> server.echo(c, command);
            case SELECT -> server.select(c, command);
            case AUTH -> server.auth(c, command);
            case QUIT -> server.quit(c);
            case CONFIG -> server.config(c, command);
            case COMMAND -> server.command(c);
            case INFO -> server.info(c, command);
            case PUBLISH -> pubSub.publish(c, command.arg(1), command.arg(2));
            case SUBSCRIBE -> pubSub.subscribe(c, keysFrom(command, 1));
            case UNSUBSCRIBE -> pubSub.unsubscribe(c, keysFrom(command, 1));
            case PSUBSCRIBE -> pubSub.psubscribe(c, keysFrom(command, 1));
            case PUNSUBSCRIBE -> pubSub.punsubscribe(c, keysFrom(command, 1));
            case MF_WAIT -> mf.waitFor(c, command);
            case MF_CAS -> mf.compareAndSet(c, command);
            case MF_WATCH -> mf.watch(c, command);
            case MF_UNWATCH -> mf.unwatch(c, command);
            case MF_HELLO -> mf.hello(c, command);
            case MF_RANK -> mf.rank(c, command);
        }
    }
}
