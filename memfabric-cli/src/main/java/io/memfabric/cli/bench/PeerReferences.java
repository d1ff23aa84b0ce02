package io.memfabric.cli.bench;

import io.memfabric.cli.Progress;

import java.io.BufferedReader;
import java.io.IOException;
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
 * The reference figures of a benchmark run, measured in the same run with {@code shared/bench/peers.sh} and its C
 * programs (memcpy, cma, loopback TCP, iperf3, ucx_perftest, redis-server), so that memfabric's figures can be
 * reported as ratios to a reference measured on the same machine at the same time. Keeps every figure line
 * ({@code memcpy size=4096 threads=1 gbps=150.2}) and every reference that could not be measured, with why.
 *
 * <p>Thread safety: confined to the benchmark's main thread.
 */
final class PeerReferences {
    /** How long one reference job may run (a full {@code peers.sh redis} takes a few minutes). */
    private static final long JOB_TIMEOUT_MINUTES = 20;

    private final List<Map<String, String>> figures = new ArrayList<>();
    private final List<String> unavailable = new ArrayList<>();

    PeerReferences() {
    }

    /**
     * Runs {@code jobs} one after the other, showing progress as {@code <task>: references}.
     *
     * @param script the located {@code peers.sh}, which must be {@link PeersScript#found() found}
     * @param quick  pass {@code --quick} to {@code peers.sh} and use its quick effort for the programs
     * @return the figures, and the references that could not be measured
     */
    static PeerReferences measure(PeersScript script, List<ReferenceJob> jobs, String task, boolean quick)
            throws IOException, InterruptedException {
        PeerReferences references = new PeerReferences();
        PeerPrograms programs = new PeerPrograms(script.path());
        try (Progress progress = Progress.onStderr(task + ": references", jobs.size())) {
            for (ReferenceJob job : jobs) {
                progress.note("measuring " + job.label());
                int before = references.figures.size();
                references.run(script.path(), programs, job, quick);
                progress.step(job.label() + ": " + (references.figures.size() - before) + " figure(s)");
            }
        }
        return references;
    }

    private void run(Path script, PeerPrograms programs, ReferenceJob job, boolean quick)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (job.program() != null) {
            try {
                command.add(programs.binary(job.program()).toString());
                command.addAll(job.args());
            } catch (IOException e) {
                // peers.sh can install a compiler and measures the same at its own, fixed sizes.
                unavailable.add(job.program() + " at the measured sizes (" + e.getMessage() + "; peers.sh "
                        + job.group() + " measured its own sizes instead)");
                command.clear();
            }
        }
        if (command.isEmpty()) {
            command.addAll(List.of("bash", script.toString(), job.group()));
            if (quick) {
                command.add("--quick");
            }
            if (job.program() == null) {
                command.addAll(job.args());
            }
        }
        Path errors = Files.createTempFile("memfabric-reference-", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            int lines = 0;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    Map<String, String> fields = fields(line);
                    if (fields.containsKey("unavailable")) {
                        unavailable.add(line.substring(0, line.indexOf(" unavailable")) + " ("
                                + fields.get("reason") + ")");
                        lines++;
                    } else if (!fields.isEmpty()) {
                        figures.add(fields);
                        lines++;
                    }
                }
            } finally {
                if (!process.waitFor(JOB_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                }
            }
            if (lines == 0) {
                List<String> err = Files.readAllLines(errors, StandardCharsets.UTF_8);
                unavailable.add(job.label() + " (" + String.join(" ", command.subList(0, Math.min(3,
                        command.size()))) + " printed no figure" + (err.isEmpty() ? "" : ": "
                        + err.get(err.size() - 1).strip()) + ")");
            }
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** @return the figures, each a map of the line's fields plus {@code name} (its first word). */
    List<Map<String, String>> figures() {
        return figures;
    }

    /** @return what could not be measured, each {@code <what> (<why>)}. */
    List<String> unavailable() {
        return unavailable;
    }

    /** Adds a figure line (tests; and figures known without measuring). */
    void add(String line) {
        Map<String, String> fields = fields(line);
        if (!fields.isEmpty()) {
            figures.add(fields);
        }
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
}
