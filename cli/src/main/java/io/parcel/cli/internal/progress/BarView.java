package io.parcel.cli.internal.progress;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;

import static java.util.Objects.requireNonNull;

/**
 * Progress on a terminal: one line per active file and a total line, redrawn in place with ANSI cursor movement.
 * A file that finishes gets one permanent line above them, and so does a failed attempt that is retried (while the
 * file runs, at most one such line per file every few seconds, with the count so far). Lines never exceed the terminal
 * width, so the count of lines to move back over stays right.
 */
final class BarView implements ProgressView {
    private static final String CURSOR_UP = "\033[%dA";
    private static final String ERASE_BELOW = "\r\033[J";
    private static final String STATS_FORMAT = "%4s %9s/%-9s %11s ETA %-6s %2d conn";
    private static final int STATS_WIDTH = 55;
    private static final int MAX_NAME_WIDTH = 40;
    private static final int MIN_NAME_WIDTH = 10;
    private static final int MIN_BAR_WIDTH = 5;

    private final PrintWriter out;
    private final int columns;
    private final Tracker tracker = new Tracker();
    private final Set<String> announced = new HashSet<>();
    private int linesDrawn;

    BarView(PrintWriter out, int columns) {
        this.out = requireNonNull(out, "out is null");
        this.columns = Math.max(40, columns);
    }

    @Override
    public synchronized void update(List<FileStatus> files, long nanoTime) {
        tracker.record(files, nanoTime);
        StringBuilder frame = new StringBuilder(erase());
        for (FileStatus file : files) {
            tracker.newRetry(file, nanoTime).ifPresent(retrying -> frame.append(Format.fit(String.format(Locale.ROOT,
                    "%-7s %s  %s", "RETRY", file.name(), retrying), columns - 1)).append('\n'));
            if (file.state().isFinal() && announced.add(file.locator())) {
                frame.append(Format.fit(String.format(Locale.ROOT, "%-7s %s  %s  %s", file.state().name(),
                        file.name(), Format.bytes(file.size() >= 0 ? file.size() : file.doneBytes()),
                        file.state() == FileState.FAILED ? file.error().orElse("") : Format.duration(file.elapsed())),
                        columns - 1)).append('\n');
            }
        }
        List<String> live = new ArrayList<>();
        String totalLabel = null;
        int nameWidth = 5;
        if (files.size() > 1) {
            Tracker.Totals totals = Tracker.totals(files);
            totalLabel = "total " + totals.finished() + "/" + totals.files();
            nameWidth = totalLabel.length();
        }
        for (FileStatus file : files) {
            if (Tracker.isActive(file)) {
                nameWidth = Math.max(nameWidth, file.name().length());
            }
        }
        // Name and bar share what the figures leave; the name comes first, the bar keeps a few columns.
        int shared = columns - 1 - STATS_WIDTH - 4;
        nameWidth = Math.min(nameWidth, Math.min(MAX_NAME_WIDTH, Math.max(MIN_NAME_WIDTH, shared - MIN_BAR_WIDTH)));
        int barWidth = shared - nameWidth;
        for (FileStatus file : files) {
            if (Tracker.isActive(file)) {
                live.add(line(file.name(), nameWidth, barWidth, file.state(), file.doneBytes(), file.size(),
                        tracker.rate(file), file.activeConnections()));
            }
        }
        if (totalLabel != null) {
            Tracker.Totals totals = Tracker.totals(files);
            live.add(line(totalLabel, nameWidth, barWidth, FileState.RUNNING, totals.doneBytes(), totals.size(),
                    tracker.totalRate(), totals.connections()));
        }
        for (String line : live) {
            frame.append(line).append('\n');
        }
        linesDrawn = live.size();
        out.print(frame);
        out.flush();
    }

    @Override
    public synchronized void finish(DownloadReport report, long nanoTime) {
        out.print(erase());
        linesDrawn = 0;
        Summary.print(out, report);
    }

    private String erase() {
        return linesDrawn == 0 ? "" : String.format(Locale.ROOT, CURSOR_UP, linesDrawn) + ERASE_BELOW;
    }

    private String line(String name, int nameWidth, int barWidth, FileState state, long done, long size,
                        double rate, int connections) {
        String stats = switch (state) {
            case DESCRIBING -> "connecting...";
            case VERIFYING -> Format.bytes(done) + "  verifying...";
            default -> String.format(Locale.ROOT, STATS_FORMAT, Format.percent(done, size), Format.bytes(done),
                    Format.bytes(size), Format.rate(rate), Format.eta(size < 0 ? -1 : size - done, rate), connections);
        };
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + nameWidth + "s ",
                Format.fit(name, nameWidth)));
        if (barWidth >= MIN_BAR_WIDTH) {
            int filled = size > 0 ? (int) Math.min(barWidth, done * barWidth / size) : (size == 0 ? barWidth : 0);
            line.append('[').append("=".repeat(filled)).append(filled < barWidth ? ">" : "")
                    .append(" ".repeat(Math.max(0, barWidth - filled - 1))).append("] ");
        }
        line.append(stats);
        return Format.fit(line.toString(), columns - 1);
    }
}
