package io.memfabric.store.server;

import io.memfabric.store.protocol.RespLimits;
import io.memfabric.store.protocol.RespMessage;
import io.memfabric.store.protocol.RespReplyDecoder;
import io.memfabric.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking RESP client for tests: one socket, commands written as arrays of bulk strings, replies parsed with the
 * production {@link RespReplyDecoder}. Strings are sent as ISO-8859-1 (one byte per char), so binary keys round-trip.
 *
 * <p>Thread safety: one thread at a time.
 */
final class RespTestClient implements AutoCloseable {
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final RespReplyDecoder parser = new RespReplyDecoder(RespLimits.forReplies(256L << 20));
    private final ByteBuf received = Unpooled.buffer(1024);
    private final byte[] chunk = new byte[64 * 1024];

    private RespTestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RespTestClient connect(InetSocketAddress address) {
        try {
            Socket socket = new Socket();
            socket.connect(address, 10_000);
            return new RespTestClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + address, e);
        }
    }

    static RespTestClient connect(StoreServer server) {
        return connect(server.localAddress());
    }

    /** Wraps a connected socket (e.g. an {@code SSLSocket}). */
    static RespTestClient over(Socket socket) {
        try {
            return new RespTestClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends one command without waiting for its reply. */
    void send(String... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = bytes(args[i]);
        }
        send(raw);
    }

    /** Sends one command without waiting for its reply. */
    void send(byte[]... args) {
        ByteBuf buf = Unpooled.buffer();
        try {
            RespWriter.command(buf, args);
            byte[] frame = new byte[buf.readableBytes()];
            buf.readBytes(frame);
            sendRaw(frame);
        } finally {
            buf.release();
        }
    }

    void sendRaw(byte[] frame) {
        try {
            out.write(frame);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the next reply or push; fails after the read timeout. */
    RespMessage read() {
        try {
            return readOrNull();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no reply within " + DEFAULT_READ_TIMEOUT, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the next reply, or null when nothing arrived within {@code timeout} (the connection stays usable only
     *         if nothing partial arrived)
     */
    RespMessage poll(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            return readOrNull();
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
            } catch (IOException ignored) {
                // the socket is closed: the next call reports it
            }
        }
    }

    private RespMessage readOrNull() throws IOException {
        while (true) {
            RespMessage message = parser.parseReply(received);
            if (message != null) {
                received.discardReadBytes();
                return message;
            }
            int n = in.read(chunk);
            if (n < 0) {
                throw new IOException("connection closed by the server");
            }
            received.writeBytes(chunk, 0, n);
        }
    }

    /** Sends a command and returns its reply. */
    RespMessage call(String... args) {
        send(args);
        return read();
    }

    /** Sends a command and returns its reply. */
    RespMessage call(byte[]... args) {
        send(args);
        return read();
    }

    /** Sends a command and returns its reply's text form ({@code +OK}, {@code :1}, {@code $3:abc}, {@code $-1}). */
    String text(String... args) {
        return call(args).toString();
    }

    /**
     * Reads until the server closes the connection, discarding anything else.
     *
     * @return whether it closed within {@code timeout}
     */
    boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                int n;
                try {
                    n = in.read(chunk);
                } catch (SocketTimeoutException e) {
                    return false;
                }
                if (n < 0) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        if (received.refCnt() > 0) {
            received.release();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket: nothing to report
        }
    }
}
