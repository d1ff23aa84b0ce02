package io.memfabric.cli.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code shared/bench/peers.sh} (the reference measurements: memcpy, cma, loopback TCP, iperf3, ucx_perftest,
 * redis-server) in the same run as a memfabric benchmark and keeps its figure lines, so that memfabric's figures can
 * be reported as ratios to a reference measured on the same machine at the same time.
 *
 * <p>Thread safety: confined to the benchmark's main thread.
 */
final class PeerReferences {
    private final List<Map<String, String>> figures = new ArrayList<>();

    private PeerReferences() {
    }

    /** @return the figures, each a map of the line's fields plus {@code name} (its first word). */
    List<Map<String, String>> figures() {
        return figures;
    }

    /**
     * Runs {@code peers.sh} with {@code arguments}; its stderr (progress, summary) goes to this process's stderr.
     *
     * @return the references, or none when the script is absent
     */
    static PeerReferences run(Path script, List<String> arguments) throws Exception {
        PeerReferences references = new PeerReferences();
        if (script == null) {
            return references;
        }
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(arguments);
        System.err.println("bench: reference measurements: " + String.join(" ", command));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                Map<String, String> fields = fields(line);
                if (!fields.isEmpty()) {
                    references.figures.add(fields);
                }
            }
        } finally {
            if (!process.waitFor(20, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        }
        return references;
    }

    /** @return the first figure whose fields include all of {@code match}, or {@code null}. */
    Map<String, String> find(String name, Map<String, String> match) {
        for (Map<String, String> f : figures) {
            if (name.equals(f.get("name")) && f.entrySet().containsAll(match.entrySet())) {
                return f;
            }
        }
        return null;
    }

    /** @return a numeric field of the first matching figure, or {@code NaN}. */
    double value(String name, Map<String, String> match, String field) {
        Map<String, String> f = find(name, match);
        if (f == null || f.get(field) == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(f.get(field));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** {@code name k=v k=v}: the name and the fields; lines without {@code =} yield nothing. */
    static Map<String, String> fields(String line) {
        String[] words = line.trim().split("\\s+");
        Map<String, String> map = new HashMap<>();
        if (words.length < 2 || words[0].contains("=")) {
            return map;
        }
        map.put("name", words[0]);
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq > 0) {
                map.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            } else {
                map.put(words[i], "");
            }
        }
        return map;
    }

    /**
     * Finds {@code shared/bench/peers.sh}: {@code explicit} when given ({@code none} turns references off), else
     * {@code $MEMFABRIC_PEERS}, {@code ../shared/bench/peers.sh} from the working directory, or beside the repository
     * that holds the CLI jar.
     */
    static Path locate(String explicit) {
        if ("none".equals(explicit)) {
            return null;
        }
        if (explicit != null) {
            return Path.of(explicit);
        }
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("MEMFABRIC_PEERS");
        if (env != null) {
            candidates.add(Path.of(env));
        }
        candidates.add(Path.of("..", "shared", "bench", "peers.sh"));
        try {
            // The CLI jar lives in <repo>/memfabric-cli/target; shared/ sits beside the repository.
            Path jar = Path.of(PeerReferences.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            candidates.add(jar.getParent().getParent().getParent().resolveSibling("shared/bench/peers.sh"));
        } catch (Exception ignored) {
            // No code source: only the other candidates.
        }
        for (Path p : candidates) {
            if (Files.isReadable(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }
}
