package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redis glob rules (redis-server's own {@code keyspace} tests and {@code stringmatchlen} corner cases). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GlobTest {
    private static boolean matches(String pattern, String string) {
        return Glob.matches(pattern.getBytes(StandardCharsets.ISO_8859_1),
                string.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void matchesRedisGlobs() {
        String[][] yes = {
            {"*", "anything"}, {"h?llo", "hello"}, {"h*llo", "hllo"}, {"h*llo", "heeeello"},
            {"h[ae]llo", "hallo"}, {"h[^e]llo", "hallo"}, {"h[a-b]llo", "hbllo"}, {"h[b-a]llo", "hallo"},
            {"h\\*llo", "h*llo"}, {"\\?", "?"}, {"[\\]]", "]"}, {"a*b*c", "axxbyyc"}, {"**a", "a"},
            {"[abc", "a"}, {"[^", "x"}, {"a\\", "a\\"}, {"*x*", "x"}, {"[a-]", "a"},
        };
        for (String[] c : yes) {
            assertTrue(matches(c[0], c[1]), c[0] + " ~ " + c[1]);
        }
        String[][] no = {
            {"h?llo", "hllo"}, {"h[ae]llo", "hillo"}, {"h[^e]llo", "hello"}, {"h\\*llo", "hello"}, {"a*b", "ac"},
            {"", "a"}, {"?", ""}, {"*", ""}, {"**", ""}, {"[abc", "["}, {"abc", "ab"}, {"ab", "abc"}, {"H*", "h"},
        };
        for (String[] c : no) {
            assertFalse(matches(c[0], c[1]), c[0] + " !~ " + c[1]);
        }
        assertTrue(matches("", ""));
    }

    @Test
    void abusivePatternsEndQuickly() {
        String pattern = "a*".repeat(200) + "b";
        String string = "a".repeat(300);
        assertFalse(matches(pattern, string));
        assertEquals(true, Glob.matchesAll("*".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(false, Glob.matchesAll("**".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(false, Glob.matchesAll("*a".getBytes(StandardCharsets.US_ASCII)));
    }
}
