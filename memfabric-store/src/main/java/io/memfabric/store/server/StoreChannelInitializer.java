package io.memfabric.store.server;

import io.memfabric.store.protocol.RespCommandDecoder;
import io.memfabric.store.protocol.RespLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;

/**
 * Builds each client connection's pipeline: [TLS] → RESP command decoder → {@link ClientSession}. Replies are
 * written by the connection as ready-made {@code ByteBuf}s, so no encoder is needed.
 *
 * <p>Thread safety: {@link #initChannel} runs on the server's event loop; the initializer itself is shared.
 */
final class StoreChannelInitializer extends ChannelInitializer<Channel> {
    private final StoreEngine engine;
    private final SslContext sslContext;
    private final RespLimits limits;

    StoreChannelInitializer(StoreEngine engine, SslContext sslContext, RespLimits limits) {
        this.engine = engine;
        this.sslContext = sslContext;
        this.limits = limits;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (sslContext != null) {
            pipeline.addLast("tls", sslContext.newHandler(channel.alloc()));
        }
        pipeline.addLast("resp", new RespCommandDecoder(limits, engine.authRequired()));
        pipeline.addLast("store", engine.newConnection());
    }
}
