package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** At most a few warnings of one kind per interval, then one line that says how many were suppressed. */
@Timeout(60)
class RateLimitedLogTest {
    @Test
    void shouldLogTheFirstLinesOfAKindThenSummarizeTheRest() {
        CapturingLogger logger = new CapturingLogger();
        AtomicLong now = new AtomicLong(1_000);
        RateLimitedLog log = new RateLimitedLog(logger, now::get);
        for (int i = 0; i < 5466; i++) {
            log.warn("malformed frame", "client {} sent a malformed frame", i);
        }
        log.warn("max clients", "client {} refused", "x");
        assertEquals(RateLimitedLog.LINES_PER_INTERVAL + 1, logger.lines.size(), "one quota per kind");
        assertEquals("client 0 sent a malformed frame", logger.lines.get(0));
        assertEquals(5466 - RateLimitedLog.LINES_PER_INTERVAL, log.suppressed("malformed frame"));

        log.tick();
        assertEquals(RateLimitedLog.LINES_PER_INTERVAL + 1, logger.lines.size(), "no summary before the interval ends");
        now.addAndGet(RateLimitedLog.INTERVAL_NS);
        log.tick();
        assertEquals("store: suppressed 5461 more 'malformed frame' warnings in the last 10 s",
                logger.lines.get(logger.lines.size() - 1));
        log.warn("malformed frame", "client {} sent a malformed frame", "again");
        assertEquals("client again sent a malformed frame", logger.lines.get(logger.lines.size() - 1),
                "a new interval has a new quota");
    }

    @Test
    void shouldLogAFewLinesForThousandsOfMalformedFramesFromClients() throws Exception {
        try (StoreServer server = TestServers.start()) {
            int frames = 200;
            for (int i = 0; i < frames; i++) {
                try (RespTestClient c = RespTestClient.connect(server)) {
                    c.sendRaw("*1\r\n$x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    c.awaitClosed(Duration.ofSeconds(10));
                }
            }
            assertEquals(frames - RateLimitedLog.LINES_PER_INTERVAL, server.suppressedWarnings("malformed frame"));
        }
    }

    /** Keeps every formatted warning. */
    private static final class CapturingLogger extends LegacyAbstractLogger {
        @Serial
        private static final long serialVersionUID = 1L;
        final List<String> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] args,
                                                   Throwable throwable) {
            lines.add(MessageFormatter.basicArrayFormat(format, args));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
