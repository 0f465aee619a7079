package io.parcel.cli.internal.progress;

import java.time.Duration;
import java.util.Locale;

/** Numbers as people read them: binary sizes, rates, short durations. */
public final class Format {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Format() {
    }

    /** "0 B", "512 B", "1.5 KiB", "512.0 MiB"; "?" for a negative (unknown) size. */
    public static String bytes(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    /** "98.3 MiB/s"; "-" when unknown. */
    public static String rate(double bytesPerSecond) {
        if (Double.isNaN(bytesPerSecond) || bytesPerSecond < 0) {
            return "-";
        }
        return bytes(Math.round(bytesPerSecond)) + "/s";
    }

    /** "0.4s", "12.3s", "3m04s", "2h05m". */
    public static String duration(Duration duration) {
        long millis = Math.max(0, duration.toMillis());
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }

    /** Time left at {@code bytesPerSecond}, or "-" when it cannot be told. */
    public static String eta(long remainingBytes, double bytesPerSecond) {
        if (remainingBytes < 0 || !(bytesPerSecond > 0)) {
            return "-";
        }
        double seconds = remainingBytes / bytesPerSecond;
        if (seconds > 100 * 3600) {
            return "-";
        }
        return duration(Duration.ofMillis(Math.round(seconds * 1000)));
    }

    /** "45%", or "" when the size is unknown. */
    public static String percent(long done, long size) {
        if (size < 0) {
            return "";
        }
        if (size == 0) {
            return "100%";
        }
        return Math.min(100, done * 100 / size) + "%";
    }

    /** {@code text} cut to {@code width} characters, marking the cut with '~'. */
    public static String fit(String text, int width) {
        if (text.length() <= width) {
            return text;
        }
        return width <= 1 ? text.substring(0, Math.max(0, width)) : text.substring(0, width - 1) + "~";
    }
}
