/**
 * The Java client of the config store: {@link io.memfabric.store.client.StoreClient#connect} returns a pipelined,
 * thread-safe client with a deadline on every call, reconnect with backoff (and restore of its identity, ranks,
 * subscriptions and watches, then user hooks), key-prefixed views, and watch and event callbacks on one dedicated
 * thread.
 *
 * <p>Layout: {@code StoreClient} (the contract) and {@code StoreClientOptions} are public; everything else is
 * package-private. {@code RespStoreClient} is the root client and its views; it builds one {@code Request} per call
 * ({@code Op} names the command, {@code CommandWriter} encodes it) and hands it to the {@code ClientConductor}, which
 * routes requests on the event loop of {@code ClientThreads} and owns the parts, each with one job:
 * {@code StoreProxy} (writes, batched per flush), {@code ReplyAdapter} (hands replies, pushes and closes to the
 * parts), {@code ReconnectingLink} (the main or push connection across reconnects, with a
 * {@code BackoffIdleStrategy} pause), {@code BlockingPool} (a connection per blocking wait),
 * {@code ConnectionOpener} (TCP, TLS and the handshake: {@code AUTH}, {@code PING}, and the restore of
 * {@code ClientIdentity} on main and {@code WatchRegistry} on push), {@code DeadlineSweeper} (one timer for all
 * deadlines) and {@code ReconnectHooks}. {@code StoreConnection} is one socket and its reply order;
 * {@code StoreErrors} turns error replies and failures into typed exceptions.
 *
 * <p>Threads: callers' threads only build requests, queue them (MPSC) and wait; the event loop is the single writer
 * of every part's state; user callbacks run on the callback thread.
 *
 * <p>Depends on {@code io.memfabric.store} (URL, events), {@code store.protocol} (the RESP reply decoder and writer),
 * {@code store.tls}, memfabric-common and Netty; never on the server package.
 */
package io.memfabric.store.client;
