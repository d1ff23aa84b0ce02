package io.memfabric.store.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;

/**
 * Slows down password guessing: the answer to a wrong {@code AUTH} is held back ({@link ClientSession#answerLater},
 * which blocks only that connection, never the event loop), and the failures of one source address are answered one
 * {@link ClientLimits#authFailureDelay()} apart, whichever connections they come on, so opening more connections
 * guesses no faster. A right password is answered at once.
 *
 * <p>Thread safety: not thread safe; used only on the server's event loop.
 */
final class AuthFailures {
    /** Source addresses remembered at most; beyond, a failure is only delayed on its own connection. */
    static final int MAX_SOURCES = 65_536;

    private final long delayNs;
    /** When the next failure of each source may be answered, on the {@link System#nanoTime()} clock. */
    private final HashMap<InetAddress, Long> nextAnswerNs = new HashMap<>();
    private long failures;

    AuthFailures(ClientLimits limits) {
        this.delayNs = limits.authFailureDelay().toNanos();
    }

    /**
     * Counts a wrong password from {@code remote}.
     *
     * @return how long its answer waits, nanoseconds (0: answer now)
     */
    long failed(SocketAddress remote) {
        failures++;
        if (delayNs == 0) {
            return 0;
        }
        InetAddress source = remote instanceof InetSocketAddress address ? address.getAddress() : null;
        if (source == null) {
            return delayNs;
        }
        long now = System.nanoTime();
        Long next = nextAnswerNs.get(source);
        long answerAt = (next == null || next - now < 0 ? now : next) + delayNs;
        if (next != null || nextAnswerNs.size() < MAX_SOURCES) {
            nextAnswerNs.put(source, answerAt);
        }
        return answerAt - now;
    }

    /** Forgets the sources whose delays have passed; by the housekeeping timer. */
    void expire() {
        if (!nextAnswerNs.isEmpty()) {
            long now = System.nanoTime();
            nextAnswerNs.values().removeIf(next -> next - now <= 0);
        }
    }

    /** @return wrong passwords since the server started ({@code INFO stats}: {@code acl_access_denied_auth}). */
    long failures() {
        return failures;
    }
}
