/**
 * The config-store server: RESP2 over TCP (optionally TLS 1.3) on one Netty event loop thread,
 * {@code memfabric-store-io}. It holds the keyspace, blocking waits, watches, pub/sub, liveness and rank
 * assignment, and enforces the configured limits. Public types: {@link io.memfabric.store.server.StoreServer} and
 * {@link io.memfabric.store.server.StoreServerOptions}; everything else is package-private and runs on the event loop
 * only, so no state is locked.
 *
 * <h2>Standard commands</h2>
 * {@code PING [msg]}, {@code ECHO}, {@code AUTH [default] secret}, {@code QUIT}, {@code SELECT 0}, {@code DBSIZE},
 * {@code CONFIG GET pattern...} (a few read-only parameters: the store never persists), {@code COMMAND} (an empty
 * array), {@code INFO [server|clients|memfabric|keyspace]} (memfabric's own fields in redis-server's format: clients,
 * blocked waits, watches, keys),
 * {@code SET key value [NX|XX] [GET] [KEEPTTL]} (expiry options are refused: keys never expire),
 * {@code GET}, {@code DEL}, {@code EXISTS}, {@code INCR}, {@code DECR}, {@code INCRBY}, {@code DECRBY},
 * {@code APPEND}, {@code SETRANGE}, {@code GETRANGE}, {@code STRLEN}, {@code KEYS}, {@code SCAN cursor [MATCH p]
 * [COUNT n] [TYPE t]}, {@code PUBLISH}, {@code SUBSCRIBE}, {@code UNSUBSCRIBE}, {@code PSUBSCRIBE},
 * {@code PUNSUBSCRIBE}. They answer as redis-server 7 does, byte for byte, errors included (checked against a real
 * redis-server by the tests). A connection in subscribed mode may also send {@code MF.WATCH}, {@code MF.UNWATCH}
 * and {@code PING}.
 *
 * <p>Only the server announces liveness and ranks. Channels {@code mf:*} are the server's: {@code PUBLISH} there
 * answers {@code -NOPERM clients may not publish on channel 'mf:events': mf:* channels are reserved for the store
 * server}. The server keeps no keys of its own: ranks and liveness live in its connections, which only the connection
 * itself changes ({@code MF.HELLO}, {@code MF.RANK}) and only its disconnect or silence ends; {@code MF.RANK} grants
 * only free ranks. An {@code MF.HELLO} whose rank another connection holds in the default namespace (whose events
 * carry the same {@code ns=}) is accepted, but its events carry rank -1.
 *
 * <h2>memfabric commands and their replies</h2>
 * <pre>
 * MF.WAIT key timeoutMs       $value      the key exists: at once, or when SET, APPEND, SETRANGE, INCR...
 *                                         or MF.CAS creates it
 *                             $-1         timeoutMs = 0 and the key is absent
 *                             -STORE_TIMEOUT MF.WAIT key=&lt;k&gt; after &lt;ms&gt; ms   (never before the time passed)
 *                             -STORE_SHUTDOWN MF.WAIT key=&lt;k&gt;: the store server is stopping
 *                             timeoutMs: -1 waits forever, 0 checks once, 1..31536000000 waits that long.
 *                             The connection processes nothing else while it waits (like BLPOP); later
 *                             commands queue and are answered in order afterwards.
 * MF.CAS key expected new     *2 :1 $new          swapped (expected empty = create if absent)
 *                             *2 :0 $current      not swapped; $-1 when the key is absent
 * MF.WATCH key                :id                 id &gt; 0, unique per server; then, once, on this connection:
 *                             *3 $8 mf:watch :id $value     when the key is created (at once if it exists)
 * MF.UNWATCH id               :1 a pending watch of this connection was removed, :0 otherwise
 * MF.HELLO name [rank [periodMs]]   +OK   publishes "up rank=R ns= name=N reason=hello" on mf:events;
 *                             from then on the client must send something at least every periodMs (default: the
 *                             server's heartbeat period); after missedHeartbeats silent periods, or on disconnect,
 *                             "down ... reason=heartbeat|disconnect" is published and the connection closed.
 * MF.RANK worldSize [rank] [NS namespace] [RECLAIM]   :rank   lowest free rank (rank absent or -1) or the one
 *                             asked for; held until the connection goes down; publishes "up ... reason=rank", and
 *                             "down" with the rank when the connection goes down (then "down" for its MF.HELLO
 *                             identity, if any: every "up" is matched by a "down"). RECLAIM (with a rank): the
 *                             client held it before a reconnect; during the reclaim window after the server
 *                             starts (rankReclaimWindow, off by default) only reclaims are granted, others get
 *                             -TRYAGAIN MF.RANK ns=NS: ... retry in &lt;ms&gt; ms   (the Java client retries)
 *                             -STORE_WORLD_SIZE_EXCEEDED worldSize=N ns=NS: every rank is held by a live client
 *                             -STORE_RANK_UNAVAILABLE rank=R ns=NS is held by &lt;name&gt;   (or R &gt;= worldSize)
 * </pre>
 * Errors of memfabric's own open with an {@link io.memfabric.error.ErrorCode} name followed by a message naming the
 * value: {@code -STORE_INVALID_KEY key length=3000 (expected: 1..2048)}, {@code -STORE_INVALID_MESSAGE ...} for bad
 * arguments of {@code MF.*} commands. Wrong arity and unknown commands keep Redis's {@code -ERR} wording. Events on
 * {@code mf:events} are {@link io.memfabric.store.StoreEvent} text.
 *
 * <h2>Limits</h2>
 * An oversized key is refused and the connection stays. A malformed frame, an argument above
 * {@code maxValueBytes} or more than {@code maxArguments} arguments is answered {@code -ERR Protocol error: ...}
 * and that connection alone is closed. Connections above {@code maxClients} are answered
 * {@code -ERR max number of clients reached} and closed. A client's commands run only while its socket can take more
 * output, so a client that does not read gets one reply in flight, not one per command it pipelined; replies are
 * flushed as they are built (at the latest every 64 KiB). A client whose unsent output passes the hard limit, or stays
 * above the soft limit for the soft time ({@link io.memfabric.store.server.ClientLimits}, redis-server's
 * {@code client-output-buffer-limit}), is disconnected, and so is a subscriber with more than 32 MiB of unsent messages
 * (redis-server's pub/sub output limit). A connection stops being read while its socket cannot take more output, or
 * while 1024 commands wait behind a blocked {@code MF.WAIT}. Warnings about clients are rate-limited per kind.
 *
 * <h2>Layout</h2>
 * {@code StoreServer} binds the event loop; {@code StoreChannelInitializer} builds each pipeline (TLS, the
 * {@code RespCommandDecoder}, a {@code ClientSession}: one client's state and output); {@code StoreEngine} ties the
 * state together (a created key releases waiters and fires watches, liveness frees ranks). Commands go through
 * {@code CommandDispatcher} (lookup, arity, authentication, subscribed mode) to a family: {@code ServerCommands},
 * {@code StringCommands}, {@code KeyCommands}, {@code CounterCommands}, {@code PubSub} and {@code MfCommands};
 * {@code ArgumentChecks} holds the argument checks they share. The state itself: {@code Keyspace},
 * {@code WaitQueues}, {@code Watches}, {@code PubSub}, {@code RankTable}. Protection: {@code SessionOutput} (a
 * session's replies on their way out), {@code OutputLimits}, {@code RateLimitedLog}.
 *
 * <p>Depends on {@code io.memfabric.store} (URL, events), {@code protocol}, {@code tls}, {@code memfabric-common}
 * and Netty.
 */
package io.memfabric.store.server;
