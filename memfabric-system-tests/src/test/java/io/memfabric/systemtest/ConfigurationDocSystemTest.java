package io.memfabric.systemtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every setting in the product code ({@code public static final String *_PROP} in memfabric's main modules) is
 * documented in {@code docs/configuration.md} (STYLE B2), so that a new setting cannot go unnoticed.
 */
@Timeout(60)
class ConfigurationDocSystemTest {
    private static final List<String> PRODUCT_MODULES = List.of("memfabric-common", "memfabric-store",
            "memfabric-memory", "memfabric-transport", "memfabric-group", "memfabric-bm", "memfabric-trans",
            "memfabric-cli");

    @Test
    void everySettingIsDocumented() throws Exception {
        Path doc = Path.of("..", "docs", "configuration.md");
        String text = Files.readString(doc);
        TreeSet<String> settings = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (PRODUCT_MODULES.stream().anyMatch(entry::contains) && !entry.contains("test-classes")) {
                for (String className : classNames(Path.of(entry))) {
                    collectSettings(className, settings);
                }
            }
        }
        assertTrue(settings.size() > 10, "settings found: " + settings);
        List<String> missing = new ArrayList<>();
        for (String setting : settings) {
            if (!text.contains("`" + setting + "`")) {
                missing.add(setting);
            }
        }
        if (!missing.isEmpty()) {
            fail("settings missing from " + doc.toAbsolutePath().normalize() + ": " + missing);
        }
    }

    private static void collectSettings(String className, TreeSet<String> settings) throws Exception {
        Class<?> type = Class.forName(className, false, ConfigurationDocSystemTest.class.getClassLoader());
        for (Field field : type.getDeclaredFields()) {
            int m = field.getModifiers();
            if (field.getName().endsWith("_PROP") && Modifier.isStatic(m) && Modifier.isFinal(m)
                    && Modifier.isPublic(m) && field.getType() == String.class) {
                settings.add((String) field.get(null));
            }
        }
    }

    private static List<String> classNames(Path entry) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(entry)) {
            try (Stream<Path> files = Files.walk(entry)) {
                files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$"))
                        .forEach(p -> names.add(toClassName(entry.relativize(p).toString())));
            }
        } else if (entry.toString().endsWith(".jar") && Files.isRegularFile(entry)) {
            try (JarFile jar = new JarFile(entry.toFile())) {
                jar.stream().map(e -> e.getName())
                        .filter(n -> n.endsWith(".class") && !n.contains("$") && n.startsWith("io/memfabric/"))
                        .forEach(n -> names.add(toClassName(n)));
            }
        }
        names.removeIf(n -> n.endsWith("package-info") || n.endsWith("module-info"));
        return names;
    }

    private static String toClassName(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.').replace('\\', '.');
    }
}
