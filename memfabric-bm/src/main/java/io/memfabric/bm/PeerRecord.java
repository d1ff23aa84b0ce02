package io.memfabric.bm;

import io.memfabric.copy.PeerDescriptor;
import io.memfabric.error.ProtocolException;

import java.nio.charset.StandardCharsets;

/**
 * What one rank publishes about itself in the store for a BigMemory object: the strides it computes addresses with
 * (they must match everyone's) and its data-plane descriptor. Text form, blank-separated, the descriptor last (it may
 * hold blanks): {@code bmpeer1 <rank> <maxHostSize> <maxDeviceSize> <descriptor>}.
 *
 * <p>Thread safety: immutable.
 *
 * @param rank          the rank
 * @param maxHostSize   its HOST stride, bytes
 * @param maxDeviceSize its DEVICE stride, bytes
 * @param descriptor    its data-plane descriptor, decoded (once: the importer passes it on as it is)
 */
record PeerRecord(int rank, long maxHostSize, long maxDeviceSize, PeerDescriptor descriptor) {
    private static final String FORMAT = "bmpeer1";

    /** @return the text form in UTF-8. */
    byte[] toBytes() {
        return (FORMAT + " " + rank + " " + maxHostSize + " " + maxDeviceSize + " " + descriptor.encode())
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param bytes a value read from the store
     * @return the record
     * @throws ProtocolException when it is not a peer record (or its descriptor is malformed)
     */
    static PeerRecord fromBytes(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] words = text.split(" ", 5);
        if (words.length != 5 || !FORMAT.equals(words[0])) {
            throw new ProtocolException("not a BigMemory peer record: '" + abbreviate(text) + "' (expected: "
                    + FORMAT + " <rank> <maxHostSize> <maxDeviceSize> <descriptor>)");
        }
        try {
            return new PeerRecord(Integer.parseInt(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3]),
                    PeerDescriptor.decode(words[4]));
        } catch (NumberFormatException e) {
            throw new ProtocolException("BigMemory peer record '" + abbreviate(text) + "': " + e.getMessage());
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
