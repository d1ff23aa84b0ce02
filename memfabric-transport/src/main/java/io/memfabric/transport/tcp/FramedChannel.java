package io.memfabric.transport.tcp;

import io.memfabric.common.CloseHelper;
import io.memfabric.common.idle.AdaptiveBusyWait;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * One non-blocking socket with its own receive and send buffers (native, preallocated) and the wait that both ends of
 * the protocol use: after an I/O call made no progress, busy-poll ({@link AdaptiveBusyWait}: spin between retries of
 * the call, yielding now and then) for {@code spinNs}, then park in the connection's own {@link Selector} until the
 * socket is ready or the deadline passes. Busy polling burns a core and parking costs a wake-up (~20 µs on the
 * reference machine); the budget is the knob between them. Waits for a header and waits inside a payload learn
 * separately how to wait ({@link AdaptiveBusyWait}), and each of them separately per size class of the transfer they
 * belong to ({@link #sizeClass(long)}), so that what 64-byte round trips taught does not hold back 1 MiB copies.
 *
 * <p>Frames: both ends of the protocol send "a header, then a payload in chunks" with {@link #writeFrame} and receive
 * "a payload after its header" with {@link #readPayload} (the one implementation of both loops), moving payloads
 * through {@link SegmentWindows} views of the memory they come from or go to.
 *
 * <p>Receive buffer: bytes {@code [rpos, wpos)} of {@link #recv} have arrived and are not consumed yet. Nothing here
 * allocates once the channel is set up (the selector is used through {@code select(Consumer, timeout)}, which
 * does not fill the selected-key set).
 *
 * <p>Thread safety: one thread at a time (a server connection's thread, or the client thread that checked the
 * connection out); the hand-over between client threads is ordered by the pool's check-out flag.
 */
final class FramedChannel implements AutoCloseable {
    private static final long SELECT_SLICE_MS = 100;

    final SocketChannel channel;
    final MemorySegment recv;
    final MemorySegment send;
    int rpos;

    private final ByteBuffer recvBuffer;
    private final ByteBuffer sendBuffer;
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private int wpos;

    private final Arena arena;
    private final Selector selector;
    private final SelectionKey key;
    private final Consumer<SelectionKey> ignoreKey = k -> { };
    /** Waits for a header (a reply, the next request): latency matters, busy-poll for the budget. */
    private final AdaptiveBusyWait busy;
    /**
     * Waits inside a payload (a full send buffer, a partly arrived payload): the other end is busy copying; parking at
     * once is one of the modes this waiter chooses from (see {@link AdaptiveBusyWait#AdaptiveBusyWait(long, boolean)}).
     */
    private final AdaptiveBusyWait bulk;
    private int interest;

    FramedChannel(SocketChannel channel, int recvBytes, int sendBytes, long spinNs) throws IOException {
        this.channel = channel;
        this.busy = new AdaptiveBusyWait(spinNs);
        this.bulk = new AdaptiveBusyWait(spinNs, true);
        Arena a = Arena.ofShared();
        Selector s = null;
        try {
            channel.configureBlocking(false);
            s = Selector.open();
            this.key = channel.register(s, 0);
            this.recv = a.allocate(recvBytes, 64);
            this.send = a.allocate(sendBytes, 64);
        } catch (IOException | RuntimeException e) {
            CloseHelper.quietClose(s);
            a.close();
            throw e;
        }
        this.arena = a;
        this.selector = s;
        this.recvBuffer = recv.asByteBuffer();
        this.sendBuffer = send.asByteBuffer();
    }

    /** @return bytes received and not consumed. */
    int buffered() {
        return wpos - rpos;
    }

    /**
     * Makes sure at least {@code need} bytes are buffered, reading at most {@code readMost} more than are there now
     * (so that a large payload behind a header can go straight to its destination instead).
     *
     * @param need       bytes wanted in the buffer, at most its capacity
     * @param readMost   most bytes to read, at least {@code need - buffered()}
     * @param deadlineNs {@code System.nanoTime()} after which to give up
     * @return {@code false} when the peer closed the connection before the bytes arrived
     * @throws SocketTimeoutException when the deadline passes
     */
    boolean fill(int need, int readMost, long deadlineNs) throws IOException {
        if (wpos - rpos >= need) {
            return true;
        }
        if (rpos + need > recv.byteSize()) {
            // Move the partial frame to the front (a copy of less than one frame header plus small payload).
            MemorySegment.copy(recv, rpos, recv, 0, wpos - rpos);
            wpos -= rpos;
            rpos = 0;
        }
        int limit = (int) Math.min(recv.byteSize(), (long) wpos + Math.max(readMost, need - (wpos - rpos)));
        while (wpos - rpos < need) {
            recvBuffer.limit(limit).position(wpos);
            int n = channel.read(recvBuffer);
            if (n > 0) {
                wpos += n;
                progress();
            } else if (n < 0) {
                return false;
            } else {
                await(SelectionKey.OP_READ, deadlineNs, busy);
            }
        }
        progress();
        return true;
    }

    /**
     * Reads until {@code destination} is full, straight into it.
     *
     * @throws EOFException           when the peer closes the connection first
     * @throws SocketTimeoutException when the deadline passes
     */
    void readFully(ByteBuffer destination, long deadlineNs) throws IOException {
        while (destination.hasRemaining()) {
            int n = channel.read(destination);
            if (n > 0) {
                progress();
            } else if (n < 0) {
                throw new EOFException("connection closed by the peer with " + destination.remaining()
                        + " bytes still expected");
            } else {
                await(SelectionKey.OP_READ, deadlineNs, bulk);
            }
        }
        progress();
    }

    /** Writes all of {@code source}. */
    void writeFully(ByteBuffer source, long deadlineNs) throws IOException {
        while (source.hasRemaining()) {
            if (channel.write(source) > 0) {
                progress();
            } else {
                await(SelectionKey.OP_WRITE, deadlineNs, bulk);
            }
        }
        progress();
    }

    /** Writes all of {@code first} and then all of {@code second} with gathering writes. */
    void writeFully(ByteBuffer first, ByteBuffer second, long deadlineNs) throws IOException {
        gather[0] = first;
        gather[1] = second;
        try {
            while (first.hasRemaining() || second.hasRemaining()) {
                if (channel.write(gather) > 0) {
                    progress();
                } else {
                    await(SelectionKey.OP_WRITE, deadlineNs, bulk);
                }
            }
        } finally {
            gather[0] = null;
            gather[1] = null;
        }
        progress();
    }

    /**
     * Sends one frame: the header already in {@code [0, headerLength)} of {@link #send}, then {@code length} payload
     * bytes of {@code memory} from {@code offset}. A payload of at most {@link TcpProtocol#SMALL_PAYLOAD_BYTES} is
     * copied behind the header, so that the frame takes one system call (the copy costs less than the call); a larger
     * one goes straight from {@code memory} to the socket through the views of {@code windows}, with a gathering write
     * for the header and the first chunk (the kernel copies once, into its buffers).
     *
     * @param headerLength the header's bytes
     * @param memory       where the payload is, already checked: {@code [offset, offset + length)} lies inside it
     * @param offset       where the payload starts in {@code memory}
     * @param length       payload bytes, at least 0
     * @param windows      views of {@code memory} (covered here when it is not covered yet)
     * @param deadlineNs   {@code System.nanoTime()} after which to give up
     * @throws SocketTimeoutException when the deadline passes
     */
    void writeFrame(int headerLength, MemorySegment memory, long offset, long length, SegmentWindows windows,
                    long deadlineNs) throws IOException {
        if (length <= TcpProtocol.SMALL_PAYLOAD_BYTES && headerLength + length <= send.byteSize()) {
            MemorySegment.copy(memory, offset, send, headerLength, length);
            writeFully(sendSlice(headerLength + (int) length), deadlineNs);
            return;
        }
        windows.cover(memory);
        ByteBuffer header = sendSlice(headerLength);
        long done = 0;
        while (done < length) {
            ByteBuffer view = windows.window(offset + done, length - done);
            int chunk = view.remaining();
            if (done == 0) {
                writeFully(header, view, deadlineNs);
            } else {
                writeFully(view, deadlineNs);
            }
            done += chunk;
        }
    }

    /**
     * Receives the payload of the frame whose header was just consumed: {@code length} bytes into {@code memory} from
     * {@code offset}. The bytes that arrived with the header are copied from the receive buffer (at most its
     * capacity); of the rest, a part of at most {@link TcpProtocol#SMALL_PAYLOAD_BYTES} is read into the receive
     * buffer with whatever follows it (the next frame) and copied, and a larger part goes straight from the socket
     * into {@code memory} through the views of {@code windows}.
     *
     * @param memory     where the payload goes, already checked: {@code [offset, offset + length)} lies inside it
     * @param offset     where in {@code memory}
     * @param length     payload bytes, at least 0
     * @param windows    views of {@code memory} (covered here when it is not covered yet)
     * @param deadlineNs {@code System.nanoTime()} after which to give up
     * @throws EOFException           when the peer closes the connection before the whole payload arrived
     * @throws SocketTimeoutException when the deadline passes
     */
    void readPayload(MemorySegment memory, long offset, long length, SegmentWindows windows, long deadlineNs)
            throws IOException {
        long done = Math.min(buffered(), length);
        if (done > 0) {
            MemorySegment.copy(recv, rpos, memory, offset, done);
            rpos += (int) done;
        }
        while (done < length) {
            if (length - done <= TcpProtocol.SMALL_PAYLOAD_BYTES) {
                int rest = (int) (length - done);
                if (!fill(rest, (int) recv.byteSize(), deadlineNs)) {
                    throw new EOFException("connection closed by the peer with " + rest + " bytes still expected");
                }
                MemorySegment.copy(recv, rpos, memory, offset + done, rest);
                rpos += rest;
                done = length;
            } else {
                ByteBuffer view = windows.cover(memory).window(offset + done, length - done);
                int chunk = view.remaining();
                readFully(view, deadlineNs);
                done += chunk;
            }
        }
    }

    /**
     * Reads and drops {@code length} payload bytes, touching no memory but the receive buffer.
     *
     * @return {@code false} when the peer closed the connection first
     * @throws SocketTimeoutException when the deadline passes
     */
    boolean discard(long length, long deadlineNs) throws IOException {
        long left = length;
        int capacity = (int) recv.byteSize();
        while (left > 0) {
            if (buffered() == 0 && !fill(1, capacity, deadlineNs)) {
                return false;
            }
            int n = (int) Math.min(left, buffered());
            rpos += n;
            left -= n;
        }
        return true;
    }

    /**
     * Names the size of the transfer that the following waits belong to (a request being sent, its reply awaited, the
     * next request awaited after one of this size): each size class learns its own way of waiting
     * ({@link AdaptiveBusyWait#sizeClass(long)}). Allocates nothing.
     *
     * @param transferBytes the payload bytes of the request
     */
    void sizeClass(long transferBytes) {
        busy.sizeClass(transferBytes);
        bulk.sizeClass(transferBytes);
    }

    /** An I/O call made progress: the next wait starts a new busy phase. */
    private void progress() {
        busy.reset();
        bulk.reset();
    }

    /** The buffer over {@code [0, length)} of {@link #send}, ready to be written. */
    ByteBuffer sendSlice(int length) {
        return sendBuffer.clear().limit(length);
    }

    /**
     * One step of a wait after an I/O call made no progress: spin while the spin budget lasts, then park in the
     * selector for at most {@value #SELECT_SLICE_MS} ms (callers loop and retry their call either way).
     *
     * @throws SocketTimeoutException when the deadline has passed
     */
    void await(int ops, long deadlineNs, AdaptiveBusyWait wait) throws IOException {
        long now = System.nanoTime();
        if (now - deadlineNs >= 0) {
            throw new SocketTimeoutException("no progress on " + (ops == SelectionKey.OP_READ ? "read" : "write")
                    + " within the peer timeout");
        }
        if (wait.idle()) {
            return;
        }
        if (interest != ops) {
            key.interestOps(ops);
            interest = ops;
        }
        long waitMs = Math.max(1, Math.min(SELECT_SLICE_MS, (deadlineNs - now) / 1_000_000));
        selector.select(ignoreKey, waitMs);
    }

    /** Wakes a thread parked in {@link #await} (from another thread, e.g. on close). */
    void wakeup() {
        selector.wakeup();
    }

    /** Closes the socket and the selector; frees the buffers. Called once, by the thread that uses the channel. */
    @Override
    public void close() {
        CloseHelper.closeAll(channel, selector, arena::close);
    }
}
