package io.parcel.cli.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.parcel.cli.CliEnvironment;
import io.parcel.spi.UsageException;

import static java.util.Objects.requireNonNull;

/**
 * Defaults from a file of {@code key = value} lines, keys being the long option names of the command ({@code
 * server-url = https://api.example.org}). Blank lines and lines starting with {@code #} or {@code ;} are ignored; a
 * repeatable option (such as {@code header}) may appear on several lines, any other key's last line wins.
 *
 * @param path    where it was read from; empty for no file
 * @param entries value and line number per key
 */
public record ConfigFile(Optional<Path> path, Map<String, Entry> entries) {
    /** More than any real config file has; bounds the parse. */
    static final int MAX_LINES = 10_000;

    public ConfigFile {
        requireNonNull(path, "path is null");
        entries = Map.copyOf(requireNonNull(entries, "entries is null"));
    }

    /** @param line 1-based line of the last definition */
    public record Entry(String value, int line) {
    }

    public static ConfigFile none() {
        return new ConfigFile(Optional.empty(), Map.of());
    }

    /** {@code $XDG_CONFIG_HOME/parcel/config}, else {@code ~/.config/parcel/config}, when that file exists. */
    public static Optional<Path> defaultPath(CliEnvironment environment) {
        Path base = environment.variable("XDG_CONFIG_HOME").map(Path::of)
                .or(() -> environment.variable("HOME").map(home -> Path.of(home, ".config")))
                .orElse(Path.of(System.getProperty("user.home"), ".config"));
        Path path = base.resolve("parcel").resolve("config");
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    /**
     * Reads {@code path}.
     *
     * @param knownKeys  the keys allowed
     * @param repeatable keys whose lines accumulate, joined by '\n'
     * @throws UsageException naming the file and line of the first bad line
     */
    public static ConfigFile read(Path path, Set<String> knownKeys, Set<String> repeatable) throws UsageException {
        requireNonNull(path, "path is null");
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("config " + path + ": cannot read it (" + Failures.message(e) + ")", e);
        }
        return parse(path, lines, knownKeys, repeatable);
    }

    static ConfigFile parse(Path path, List<String> lines, Set<String> knownKeys, Set<String> repeatable)
            throws UsageException {
        if (lines.size() > MAX_LINES) {
            throw new UsageException("config " + path + ": more than " + MAX_LINES + " lines");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int index = 0; index < lines.size(); index++) {
            int lineNumber = index + 1;
            String line = lines.get(index).replace("\uFEFF", "").strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new UsageException("config " + path + " line " + lineNumber + ": expected 'key = value', found '"
                        + line + "'");
            }
            String key = line.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            if (key.startsWith("--")) {
                key = key.substring(2);
            }
            String value = unquote(line.substring(equals + 1).strip());
            if (!knownKeys.contains(key)) {
                throw new UsageException("config " + path + " line " + lineNumber + ": unknown option '" + key
                        + "' (known: " + String.join(", ", new TreeSet<>(knownKeys)) + ")");
            }
            Entry previous = entries.get(key);
            if (previous != null && repeatable.contains(key)) {
                value = previous.value() + "\n" + value;
            }
            entries.put(key, new Entry(value, lineNumber));
        }
        return new ConfigFile(Optional.of(path), entries);
    }

    /** Where {@code key} was set, for error messages. */
    public String where(String key) {
        Entry entry = entries.get(key);
        return "config " + path.map(Path::toString).orElse("(none)") + (entry == null ? "" : " line " + entry.line());
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
