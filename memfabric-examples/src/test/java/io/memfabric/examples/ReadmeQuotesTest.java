package io.memfabric.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's code is the examples' code: every fenced block that the README introduces with
 * {@code <!-- quote: <file> [<region>,...] -->} equals those regions of the file ({@code // tag::region[]} to
 * {@code // end::region[]}, each without its common indentation, joined by one empty line), so that an edit of either
 * without the other fails the build.
 */
@Timeout(30)
class ReadmeQuotesTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern QUOTE = Pattern.compile("^<!-- quote: (\\S+) \\[([\\w,]+)] -->$");

    /** A README block and where it claims to come from. */
    private record Quote(int line, String file, List<String> regions, List<String> text) {
    }

    @Test
    void shouldQuoteTheExamplesRegionsExactly() throws IOException {
        List<Quote> quotes = quotes(Files.readAllLines(ROOT.resolve("README.md")));
        assertTrue(quotes.stream().anyMatch(q -> q.file().endsWith("PoolAndCopy.java") && q.regions().contains("pool")),
                "README.md quotes no PoolAndCopy.java [pool] region: " + quotes);
        for (Quote quote : quotes) {
            List<String> source = Files.readAllLines(ROOT.resolve(quote.file()));
            List<String> expected = new ArrayList<>();
            for (String region : quote.regions()) {
                if (!expected.isEmpty()) {
                    expected.add("");
                }
                expected.addAll(region(source, quote.file(), region));
            }
            assertSame(quote, expected);
        }
    }

    @Test
    void shouldFindTheRegionBetweenItsMarkersWithoutItsIndentation() {
        List<String> source = List.of("class A {", "    // tag::x[]", "    int a;", "", "        int b;",
                "    // end::x[]", "}");
        assertEquals(List.of("int a;", "", "    int b;"), region(source, "A.java", "x"));
    }

    private static void assertSame(Quote quote, List<String> expected) {
        List<String> actual = quote.text();
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "(end of the region)";
            String got = i < actual.size() ? actual.get(i) : "(end of the block)";
            if (!want.equals(got)) {
                fail("README.md line " + (quote.line() + 2 + i) + " differs from " + quote.file() + " "
                        + quote.regions() + ":\n  README: " + got + "\n  source: " + want
                        + "\n(copy the region into the README, or change both)");
            }
        }
    }

    /** @return the README's quoted blocks, each the fenced block right after its quote comment */
    private static List<Quote> quotes(List<String> readme) {
        List<Quote> quotes = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            Matcher m = QUOTE.matcher(readme.get(i).strip());
            if (!m.matches()) {
                continue;
            }
            assertTrue(i + 1 < readme.size() && readme.get(i + 1).startsWith("```"),
                    "README.md line " + (i + 1) + ": a quote comment must be followed by a fenced block");
            List<String> text = new ArrayList<>();
            int j = i + 2;
            for (; j < readme.size() && !readme.get(j).startsWith("```"); j++) {
                text.add(readme.get(j));
            }
            assertTrue(j < readme.size(), "README.md line " + (i + 2) + ": the fenced block does not end");
            quotes.add(new Quote(i + 1, m.group(1), List.of(m.group(2).split(",")), text));
        }
        return quotes;
    }

    /** @return the lines between {@code // tag::name[]} and {@code // end::name[]}, without their common indentation */
    static List<String> region(List<String> source, String file, String name) {
        int start = source.indexOf(indexed(source, "// tag::" + name + "[]"));
        int end = source.indexOf(indexed(source, "// end::" + name + "[]"));
        assertTrue(start >= 0 && end > start, file + " has no region " + name + " (// tag::" + name + "[] ... // end::"
                + name + "[])");
        List<String> lines = source.subList(start + 1, end);
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }

    /** @return the first line whose text is {@code marker}, or null */
    private static String indexed(List<String> source, String marker) {
        return source.stream().filter(l -> l.strip().equals(marker)).findFirst().orElse(null);
    }
}
