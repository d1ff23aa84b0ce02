package io.memfabric.trans;

import io.memfabric.copy.PeerDescriptor;
import io.memfabric.error.ProtocolException;

import java.nio.charset.StandardCharsets;

/**
 * What an engine publishes about itself (in the store under {@code session/<sessionId>}, or in the answer to a
 * store-less handshake): its session, rank and role, and the descriptor peers reach its memory by. Text form,
 * blank-separated, the descriptor last (it holds blanks): {@code mftrans1 <sessionId> <rank> <role> <descriptor>}.
 *
 * <p>Thread safety: immutable.
 *
 * @param session    the engine's session id
 * @param rank       its rank in the namespace (or the number a store-less engine gave it; the descriptor keeps the
 *                   engine's own)
 * @param role       its role
 * @param descriptor its copy engine's descriptor
 */
record SessionRecord(String session, int rank, Role role, PeerDescriptor descriptor) {
    private static final String FORMAT = "mftrans1";
    /** Longest record accepted from the wire or the store (a descriptor is at most 4 KiB). */
    static final int MAX_BYTES = PeerDescriptor.MAX_TEXT_CHARS + 256;

    /** @return the text form in UTF-8. */
    byte[] toBytes() {
        return (FORMAT + " " + session + " " + rank + " " + role.name() + " " + descriptor.encode())
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param bytes a value read from the store or the wire
     * @return the record
     * @throws ProtocolException naming what is wrong, when the bytes are not a record
     */
    static SessionRecord fromBytes(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new ProtocolException("session record of " + bytes.length + " bytes (expected: <= " + MAX_BYTES
                    + ")");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] words = text.split(" ", 5);
        if (words.length != 5 || !FORMAT.equals(words[0])) {
            throw new ProtocolException("not a session record: '" + abbreviate(text) + "' (expected: " + FORMAT
                    + " <sessionId> <rank> <role> <descriptor>)");
        }
        try {
            return new SessionRecord(SessionId.parse(words[1]).text(), Integer.parseInt(words[2]),
                    Role.valueOf(words[3]), PeerDescriptor.decode(words[4]));
        } catch (IllegalArgumentException | io.memfabric.error.ConfigurationException e) {
            throw new ProtocolException("session record '" + abbreviate(text) + "': " + e.getMessage());
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
