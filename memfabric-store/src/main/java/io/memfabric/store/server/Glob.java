package io.memfabric.store.server;

/**
 * Redis glob matching ({@code KEYS}, {@code SCAN MATCH}, {@code PSUBSCRIBE}), a byte-for-byte port of redis-server 7's
 * {@code stringmatchlen}: {@code *}, {@code ?}, {@code [abc]}, {@code [^a]}, {@code [a-z]} (reversed ranges swap),
 * {@code \x} escapes, case-sensitive. Bytes compare as C's signed {@code char}, as in redis-server on x86-64, so
 * ranges over bytes above 0x7f match the same keys. Patterns nest {@code *} at most {@value #MAX_NESTING} deep, as
 * redis-server's protection against abusive patterns.
 *
 * <p>Thread safety: stateless.
 */
final class Glob {
    private static final int MAX_NESTING = 1000;

    private Glob() {
    }

    /** @return whether {@code string} matches {@code pattern}. */
    static boolean matches(byte[] pattern, byte[] string) {
        return match(pattern, 0, string, 0, new boolean[1], 0);
    }

    /**
     * @return whether the pattern is exactly {@code *}: redis-server's {@code KEYS} and {@code SCAN MATCH} then skip
     *         matching and return every key, the empty key included (which {@code stringmatchlen} itself, and so
     *         {@code **}, would not match)
     */
    static boolean matchesAll(byte[] pattern) {
        return pattern.length == 1 && pattern[0] == '*';
    }

    /** C's {@code pattern[i]} on a NUL-terminated sds string: 0 past the end. */
    private static byte at(byte[] a, int i) {
        return i < a.length ? a[i] : 0;
    }

    private static boolean match(byte[] pattern, int p, byte[] string, int s, boolean[] skipLongerMatches,
                                 int nesting) {
        if (nesting > MAX_NESTING) {
            return false;
        }
        final int pe = pattern.length;
        final int se = string.length;
        while (p < pe && s < se) {
            switch (pattern[p]) {
                case '*' -> {
                    while (p < pe && at(pattern, p + 1) == '*') {
                        p++;
                    }
                    if (pe - p == 1) {
                        return true;
                    }
                    while (s < se) {
                        if (match(pattern, p + 1, string, s, skipLongerMatches, nesting + 1)) {
                            return true;
                        }
                        if (skipLongerMatches[0]) {
                            return false;
                        }
                        s++;
                    }
                    // No match for the rest of the pattern anywhere in the rest of the string: a longer match for
                    // an earlier '*' cannot help either (redis-server's skipLongerMatches).
                    skipLongerMatches[0] = true;
                    return false;
                }
                case '?' -> s++;
                case '[' -> {
                    p++;
                    boolean not = at(pattern, p) == '^';
                    if (not) {
                        p++;
                    }
                    boolean matched = false;
                    while (true) {
                        if (at(pattern, p) == '\\' && pe - p >= 2) {
                            p++;
                            if (pattern[p] == string[s]) {
                                matched = true;
                            }
                        } else if (at(pattern, p) == ']') {
                            break;
                        } else if (p >= pe) {
                            p--;
                            break;
                        } else if (pe - p >= 3 && pattern[p + 1] == '-') {
                            int start = pattern[p];
                            int end = pattern[p + 2];
                            int c = string[s];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            p += 2;
                            if (c >= start && c <= end) {
                                matched = true;
                            }
                        } else if (pattern[p] == string[s]) {
                            matched = true;
                        }
                        p++;
                    }
                    if (not) {
                        matched = !matched;
                    }
                    if (!matched) {
                        return false;
                    }
                    s++;
                }
                default -> {
                    if (pattern[p] == '\\' && pe - p >= 2) {
                        p++;
                    }
                    if (pattern[p] != string[s]) {
                        return false;
                    }
                    s++;
                }
            }
            p++;
            if (s == se) {
                while (at(pattern, p) == '*') {
                    p++;
                }
                break;
            }
        }
        return p >= pe && s == se;
    }
}
