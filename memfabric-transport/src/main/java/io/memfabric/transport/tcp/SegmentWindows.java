package io.memfabric.transport.tcp;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@code ByteBuffer} views of one {@code MemorySegment}, in windows of at most {@link #WINDOW_BYTES} (a ByteBuffer
 * holds at most 2 GiB), through which a payload moves between the socket and the memory without a copy. A window's
 * view is made the first time a payload touches it and kept while the same segment is covered:
 * <ul>
 *   <li>the listener keeps one instance per slot and per registered region for the life of a connection (views
 *       cached per slot);</li>
 *   <li>a client connection keeps one that it points at each caller segment ({@link #cover}): the views survive
 *       while the same segment comes back, and a new segment costs one view per window it uses (views built per
 *       call).</li>
 * </ul>
 * Positioning a view allocates nothing.
 *
 * <p>Thread safety: one thread at a time (its connection's).
 */
final class SegmentWindows {
    /** The largest view: requests are at most this long too ({@link TcpProtocol#MAX_REQUEST_BYTES}). */
    static final long WINDOW_BYTES = 1L << 30;

    private MemorySegment segment;
    private ByteBuffer[] views = new ByteBuffer[1];

    /** Windows that cover nothing yet. */
    SegmentWindows() {
    }

    /** @param segment the memory to cover */
    SegmentWindows(MemorySegment segment) {
        cover(segment);
    }

    /**
     * Covers {@code memory}, keeping the views made so far when it is the segment covered already.
     *
     * @param memory a segment with ByteBuffer views (native, or on a {@code byte[]})
     * @return this
     */
    SegmentWindows cover(MemorySegment memory) {
        if (memory != segment) {
            int count = (int) ((memory.byteSize() + WINDOW_BYTES - 1) / WINDOW_BYTES);
            if (views.length < count) {
                views = new ByteBuffer[count];
            } else {
                Arrays.fill(views, null);
            }
            segment = memory;
        }
        return this;
    }

    /**
     * The view of the window that holds {@code offset}, positioned over {@code [offset, offset + chunk)} where the
     * chunk is {@code rest} or what is left of the window, whichever is less.
     *
     * @param offset where in the covered segment, already checked against its size
     * @param rest   bytes wanted from there, at least 1
     * @return the positioned view; valid until the next call
     */
    ByteBuffer window(long offset, long rest) {
        int index = (int) (offset / WINDOW_BYTES);
        long start = index * WINDOW_BYTES;
        ByteBuffer view = views[index];
        if (view == null) {
            long size = Math.min(WINDOW_BYTES, segment.byteSize() - start);
            view = start == 0 && size == segment.byteSize() ? segment.asByteBuffer()
                    : segment.asSlice(start, size).asByteBuffer();
            views[index] = view;
        }
        int within = (int) (offset - start);
        int chunk = (int) Math.min(rest, view.capacity() - within);
        return view.clear().position(within).limit(within + chunk);
    }

    /** Forgets the segment and its views (so that they do not keep the segment reachable). */
    void forget() {
        segment = null;
        Arrays.fill(views, null);
    }
}
