package io.parcel.cli.perf;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * What one {@code perf} connection moved. Field names in {@link #toJson()} match the C++ interop peer's, so scripts
 * read both the same way.
 *
 * @param role       {@code client} or {@code server}
 * @param direction  {@code send} or {@code receive}, seen from this side
 * @param transport  the transport's name
 * @param mode       {@code client-server} or {@code rendezvous}
 * @param peer       the other side's address
 * @param bytes      bytes written (sender) or read (receiver)
 * @param seconds    from the connection being up to the last byte read (receiver), or to the receiver having closed
 *                   after the end of the stream (sender)
 * @param sha256     SHA-256 of exactly those bytes, lower-case hex; empty when not computed ({@code --no-hash})
 * @param cpuSeconds CPU time the whole process used meanwhile (every thread: transport, JIT, GC)
 * @param stats      what the transport reports about the connection (RTT, loss, ...); empty when it reports nothing
 * @param error      why the transfer failed; empty when it succeeded
 */
record PerfResult(String role, String direction, String transport, String mode, String peer, long bytes,
                  double seconds, String sha256, double cpuSeconds, Map<String, Object> stats, Optional<String> error) {
    private static final double BYTES_PER_GIB = 1024.0 * 1024 * 1024;

    PerfResult {
        requireNonNull(role, "role is null");
        requireNonNull(direction, "direction is null");
        requireNonNull(transport, "transport is null");
        requireNonNull(mode, "mode is null");
        requireNonNull(peer, "peer is null");
        requireNonNull(sha256, "sha256 is null");
        stats = Map.copyOf(requireNonNull(stats, "stats is null"));
        requireNonNull(error, "error is null");
    }

    boolean ok() {
        return error.isEmpty();
    }

    /** Goodput in Mbit/s (10^6 bits per second). */
    double mbps() {
        return seconds > 0 ? bytes * 8.0 / seconds / 1e6 : 0;
    }

    /** CPU seconds per GiB moved, or 0 when nothing moved. */
    double cpuSecondsPerGib() {
        return bytes > 0 ? cpuSeconds / (bytes / BYTES_PER_GIB) : 0;
    }

    /** One JSON object on one line. */
    String toJson() {
        StringBuilder json = new StringBuilder(512).append('{');
        field(json, "tool", "parcel-perf").append(',');
        field(json, "role", role).append(',');
        field(json, "direction", direction).append(',');
        field(json, "transport", transport).append(',');
        field(json, "mode", mode).append(',');
        json.append("\"ok\":").append(ok()).append(',');
        field(json, "peer", peer).append(',');
        json.append("\"bytes\":").append(bytes).append(',');
        json.append("\"seconds\":").append(number(seconds, 6)).append(',');
        json.append("\"mbps\":").append(number(mbps(), 3)).append(',');
        if (!sha256.isEmpty()) {
            field(json, "sha256", sha256).append(',');
        }
        json.append("\"cpu_seconds\":").append(number(cpuSeconds, 3)).append(',');
        json.append("\"cpu_seconds_per_gib\":").append(number(cpuSecondsPerGib(), 3));
        if (!stats.isEmpty()) {
            json.append(",\"stats\":{");
            boolean first = true;
            for (Map.Entry<String, Object> entry : new TreeMap<>(stats).entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                json.append('"').append(escape(entry.getKey())).append("\":");
                if (entry.getValue() instanceof Number value && Double.isFinite(value.doubleValue())) {
                    json.append(value instanceof Double || value instanceof Float
                            ? number(value.doubleValue(), 3) : value.toString());
                } else {
                    json.append('"').append(escape(String.valueOf(entry.getValue()))).append('"');
                }
            }
            json.append('}');
        }
        error.ifPresent(message -> field(json.append(','), "error", message));
        return json.append('}').toString();
    }

    /** A few aligned lines for people. */
    String toText() {
        StringBuilder text = new StringBuilder(512);
        line(text, "transport", transport + " (" + mode + ")");
        line(text, "peer", peer);
        line(text, "direction", role + (direction.equals("send") ? " sends" : " receives"));
        line(text, "bytes", bytes + " (" + String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0) + ")");
        line(text, "time", String.format(Locale.ROOT, "%.3f s", seconds));
        line(text, "goodput", String.format(Locale.ROOT, "%.1f Mbit/s", mbps()));
        line(text, "sha256", sha256.isEmpty() ? "(not computed)" : sha256);
        line(text, "cpu", String.format(Locale.ROOT, "%.2f s (%.2f s/GiB)", cpuSeconds, cpuSecondsPerGib()));
        new TreeMap<>(stats).forEach((name, value) -> line(text, name, String.valueOf(value)));
        line(text, "result", error.map(message -> "FAILED: " + message).orElse("ok"));
        return text.toString();
    }

    private static void line(StringBuilder text, String name, String value) {
        text.append(String.format(Locale.ROOT, "%-10s %s%n", name, value));
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        return json.append('"').append(name).append("\":\"").append(escape(value)).append('"');
    }

    private static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
