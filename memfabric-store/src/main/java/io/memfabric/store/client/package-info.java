/**
 * The Java client of the config store: {@link io.memfabric.store.client.StoreClient#connect} returns a pipelined,
 * thread-safe client with a deadline on every call, reconnect with backoff (and restore of its identity, ranks,
 * subscriptions and watches, then user hooks), key-prefixed views, and watch and event callbacks on one dedicated
 * thread.
 *
 * <p>Layout: {@code StoreClient} (the contract) and {@code StoreClientOptions} are public; {@code RespStoreClient}
 * (root and views), {@code ClientConductor} (the event loop's single-writer state: connections, deadlines,
 * reconnects), {@code StoreConnection} (one socket and its reply order), {@code Request} and {@code CommandWriter}
 * (one command and its encoding) are package-private.
 *
 * <p>Depends on {@code io.memfabric.store} (URL, events), {@code store.protocol} (the RESP reply decoder),
 * {@code store.tls}, memfabric-common and Netty; never on the server package.
 */
package io.memfabric.store.client;
