package io.parcel.cli.internal.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;

/** The table printed when a download ends: each file's name, size, time, rate and result. */
public final class Summary {
    private static final int MAX_NAME_WIDTH = 48;

    private Summary() {
    }

    /** Bytes per second this run moved for {@code file}, or NaN when it moved nothing measurable. */
    public static double rate(FileStatus file) {
        double seconds = file.elapsed().toNanos() / 1e9;
        return seconds > 0 && file.state() != FileState.SKIPPED ? file.transferredBytes() / seconds : Double.NaN;
    }

    /** "DONE", "DONE after N retries", "SKIPPED (already complete)" or "FAILED: reason". */
    public static String result(FileStatus file) {
        return switch (file.state()) {
            case DONE -> file.retries() == 0 ? "DONE"
                    : "DONE after " + file.retries() + (file.retries() == 1 ? " retry" : " retries");
            case SKIPPED -> "SKIPPED (already complete)";
            case FAILED -> "FAILED: " + file.error().orElse("no reason given");
            default -> file.state().name();
        };
    }

    public static void print(PrintWriter out, DownloadReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "SIZE", "TIME", "RATE", "RESULT"});
        int done = 0;
        int skipped = 0;
        int failed = 0;
        long transferred = 0;
        for (FileStatus file : report.files()) {
            boolean moved = file.transferredBytes() > 0 || file.state() == FileState.DONE;
            rows.add(new String[] {Format.fit(file.name(), MAX_NAME_WIDTH),
                    file.size() >= 0 ? Format.bytes(file.size()) : moved ? Format.bytes(file.doneBytes()) : "-",
                    Format.duration(file.elapsed()), moved ? Format.rate(rate(file)) : "-", result(file)});
            switch (file.state()) {
                case DONE -> done++;
                case SKIPPED -> skipped++;
                case FAILED -> failed++;
                default -> { }
            }
            transferred += file.transferredBytes();
        }
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int column = 0; column < widths.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        out.println();
        for (String[] row : rows) {
            out.println(String.format(Locale.ROOT, "%-" + widths[0] + "s  %" + widths[1] + "s  %" + widths[2]
                    + "s  %" + widths[3] + "s  %s", (Object[]) row).stripTrailing());
        }
        Duration elapsed = report.elapsed();
        double seconds = elapsed.toNanos() / 1e9;
        out.println(String.format(Locale.ROOT, "%d file%s: %d done, %d skipped, %d failed; %s received in %s (%s)",
                report.files().size(), report.files().size() == 1 ? "" : "s", done, skipped, failed,
                Format.bytes(transferred), Format.duration(elapsed),
                Format.rate(seconds > 0 ? transferred / seconds : Double.NaN)));
        out.flush();
    }
}
