package io.memfabric.copy;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.PeerLostException;
import io.memfabric.transport.Space;
import io.memfabric.transport.tcp.TcpTransport;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A copy engine's copies addressed by <i>target</i>: a rank, a space (its HOST or DEVICE slot, or memory it
 * registered) and an address in that space — the API of TRANS, whose peers name their own addresses, beside the
 * global-address API of {@link CopyEngine} (BM, SHM). Both go through the same transfer path. Batches of targets go
 * through {@link CopyEngine#execute} and {@link CopyEngine#executePartial} ({@link CopyBatch#addWriteTo}).
 *
 * <p>Thread safety: any method from any thread.
 */
public final class TargetCopies {
    private final Runnable engineOpen;
    private final SyncCopies sync;
    private final AsyncCopies async;
    private final Workers workers;
    private final TcpTransport tcp;

    TargetCopies(Runnable engineOpen, SyncCopies sync, AsyncCopies async, Workers workers, TcpTransport tcp) {
        this.engineOpen = engineOpen;
        this.sync = sync;
        this.async = async;
        this.workers = workers;
        this.tcp = tcp;
    }

    /**
     * Sets what this engine's listener answers to a peer that knows only its address and asks what it is (a
     * handshake without a store; {@link #describe}).
     *
     * @param description at most 8 KiB
     */
    public void describeAs(byte[] description) {
        engineOpen.run();
        tcp.describeAs(description);
    }

    /**
     * Copies {@code length} bytes from {@code src} at {@code srcOffset} to a target: rank {@code rank}'s memory of
     * {@code space} at {@code address} (an offset in its HOST or DEVICE slot, or an address in memory it registered).
     * The same transfer path as {@link CopyEngine#write}; a slot range is checked against {@link CopyEngine#view()}
     * first, a registered range where the memory is.
     *
     * @param src       local memory
     * @param srcOffset where in {@code src} to start
     * @param rank      the target's rank (this rank's own slots too)
     * @param space     which of its memories
     * @param address   slot offset, or registered address
     * @param length    bytes, at least 1, within {@code src}
     * @throws ConfigurationException     {@code INVALID_PARAM} for a bad argument
     * @throws AddressOutOfRangeException when the target range is outside the slot or registered memory
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when the rank is not a peer or is gone
     */
    public void writeTo(MemorySegment src, long srcOffset, int rank, Space space, long address, long length) {
        engineOpen.run();
        CopyArguments.checkLocalRange("src", src, srcOffset, length);
        Objects.requireNonNull(space, "space");
        sync.writeTarget(src, srcOffset, rank, space, address, length, "write");
    }

    /**
     * Copies {@code length} bytes from a target to {@code dst} at {@code dstOffset}; the mirror of {@link #writeTo}.
     *
     * @throws ConfigurationException     {@code INVALID_PARAM} for a bad argument or a read-only segment
     * @throws AddressOutOfRangeException when the target range is outside the slot or registered memory
     * @throws PeerLostException          {@code PEER_UNAVAILABLE} when the rank is not a peer or is gone
     */
    public void readFrom(int rank, Space space, long address, MemorySegment dst, long dstOffset, long length) {
        engineOpen.run();
        CopyArguments.checkLocalRange("dst", dst, dstOffset, length);
        CopyArguments.checkWritable(dst);
        Objects.requireNonNull(space, "space");
        sync.readTarget(rank, space, address, dst, dstOffset, length, "read");
    }

    /**
     * Starts {@link #writeTo}: arguments and the target are checked now (and throw as for {@link #writeTo}); the copy
     * completes through the handle. {@code src} must stay valid and accessible from the engine's threads until then.
     *
     * @return the copy's handle
     */
    public CopyHandle writeToAsync(MemorySegment src, long srcOffset, int rank, Space space, long address,
                                   long length) {
        engineOpen.run();
        CopyArguments.checkLocalRange("src", src, srcOffset, length);
        CopyArguments.checkShareable("src", src, workers);
        return async.writeTo(src, srcOffset, rank, Objects.requireNonNull(space, "space"), address, length);
    }

    /**
     * Starts {@link #readFrom}; checked as {@link #writeToAsync}.
     *
     * @return the copy's handle
     */
    public CopyHandle readFromAsync(int rank, Space space, long address, MemorySegment dst, long dstOffset,
                                    long length) {
        engineOpen.run();
        CopyArguments.checkLocalRange("dst", dst, dstOffset, length);
        CopyArguments.checkWritable(dst);
        CopyArguments.checkShareable("dst", dst, workers);
        return async.readFrom(rank, Objects.requireNonNull(space, "space"), address, dst, dstOffset, length);
    }

    /**
     * Asks the engine listening at {@code address} what it is ({@link #describeAs}): the handshake of peers
     * that know only each other's address.
     *
     * @param address its data listener
     * @param options the spin and peer timeout of the exchange
     * @return its description
     * @throws PeerLostException {@code PEER_UNAVAILABLE} when nothing answers there
     */
    public static byte[] describe(InetSocketAddress address, CopyEngineOptions options) {
        return TcpTransport.describe(address, options.spin().toNanos(), options.peerTimeout().toNanos());
    }
}
