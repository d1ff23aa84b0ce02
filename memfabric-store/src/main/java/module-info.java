/**
 * The config store: a RESP2 rendezvous server on Netty, its pipelined client, and the protocol between them. Usable
 * on its own: it depends on common and Netty only (DESIGN §2).
 */
module io.memfabric.store {
    requires transitive io.memfabric.common;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires org.slf4j;

    exports io.memfabric.store;
    exports io.memfabric.store.client;
    exports io.memfabric.store.server;
    exports io.memfabric.store.tls;
    // The codec is public for tools that speak RESP (the benchmarks); the server and client keep their pipelines.
    exports io.memfabric.store.protocol;
}
