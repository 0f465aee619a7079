package io.parcel.cli.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.parcel.kernel.DownloadItem;
import io.parcel.spi.UsageException;

import static java.util.Objects.requireNonNull;

/**
 * A GDC manifest: tab-separated, a header row naming the columns {@code id}, {@code filename}, {@code md5},
 * {@code size} (and usually {@code state}), one file per row. Other columns are ignored; the order of columns does
 * not matter. Each row becomes a {@link DownloadItem} that carries its name, size and MD5.
 */
public final class Manifest {
    static final List<String> REQUIRED_COLUMNS = List.of("id", "filename", "md5", "size");
    /** A manifest of the GDC's whole archive has fewer rows; bounds the parse. */
    static final int MAX_ROWS = 10_000_000;

    private Manifest() {
    }

    public static List<DownloadItem> read(Path path) throws UsageException {
        requireNonNull(path, "path is null");
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("manifest " + path + ": cannot read it (" + Failures.message(e) + ")", e);
        }
        return parse(path.toString(), lines);
    }

    /** @param source how to name the manifest in errors */
    static List<DownloadItem> parse(String source, List<String> lines) throws UsageException {
        if (lines.size() > MAX_ROWS) {
            throw new UsageException("manifest " + source + ": more than " + MAX_ROWS + " lines");
        }
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new UsageException("manifest " + source + " line 1: expected a header row with the columns "
                    + String.join(", ", REQUIRED_COLUMNS) + " (tab-separated)");
        }
        String[] header = clean(lines.get(0)).split("\t", -1);
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            columns.putIfAbsent(header[i].strip().toLowerCase(Locale.ROOT), i);
        }
        List<String> missing = REQUIRED_COLUMNS.stream().filter(column -> !columns.containsKey(column)).toList();
        if (!missing.isEmpty()) {
            throw new UsageException("manifest " + source + " line 1: missing column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " (found: " + String.join(", ", header).replace("\t", " ")
                    + "; columns are separated by tabs)");
        }
        int needed = REQUIRED_COLUMNS.stream().mapToInt(columns::get).max().orElseThrow() + 1;

        List<DownloadItem> items = new ArrayList<>();
        for (int index = 1; index < lines.size(); index++) {
            String line = clean(lines.get(index));
            if (line.isBlank()) {
                continue;
            }
            String where = "manifest " + source + " line " + (index + 1) + ": ";
            String[] fields = line.split("\t", -1);
            if (fields.length < needed) {
                throw new UsageException(where + "expected at least " + needed + " tab-separated fields, found "
                        + fields.length);
            }
            String id = fields[columns.get("id")].strip();
            String filename = fields[columns.get("filename")].strip();
            String md5 = fields[columns.get("md5")].strip().toLowerCase(Locale.ROOT);
            String size = fields[columns.get("size")].strip();
            if (id.isEmpty()) {
                throw new UsageException(where + "empty id");
            }
            if (filename.isEmpty() || filename.contains("/") || filename.contains("\\")
                    || filename.equals(".") || filename.equals("..")) {
                throw new UsageException(where + "filename '" + filename + "' is not a plain file name");
            }
            if (!md5.matches("[0-9a-f]{32}")) {
                throw new UsageException(where + "md5 '" + md5 + "' is not 32 hexadecimal digits");
            }
            items.add(new DownloadItem(id, Optional.of(filename), Optional.of(parseSize(where, size)),
                    Optional.of(md5)));
        }
        return List.copyOf(items);
    }

    private static long parseSize(String where, String size) throws UsageException {
        try {
            long value = Long.parseLong(size);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(where + "size '" + size + "' is not a whole number of bytes");
    }

    private static String clean(String line) {
        String text = line.startsWith("\uFEFF") ? line.substring(1) : line;
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
