package io.parcel.cli.internal.progress;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;

import static java.util.Objects.requireNonNull;

/**
 * Progress for logs and pipes: a line when a file starts, finishes or fails, when an attempt to reach it failed and
 * is retried, and one per running file every {@value #INTERVAL_SECONDS} seconds.
 */
final class PlainView implements ProgressView {
    static final int INTERVAL_SECONDS = 5;
    private static final long INTERVAL_NANOS = INTERVAL_SECONDS * 1_000_000_000L;

    private final PrintWriter out;
    private final Tracker tracker = new Tracker();
    private final Map<String, FileState> lastState = new HashMap<>();
    private final Map<String, Long> lastLine = new HashMap<>();

    PlainView(PrintWriter out) {
        this.out = requireNonNull(out, "out is null");
    }

    @Override
    public synchronized void update(List<FileStatus> files, long nanoTime) {
        tracker.record(files, nanoTime);
        for (FileStatus file : files) {
            FileState previous = lastState.put(file.locator(), file.state());
            if (previous != file.state()) {
                event(file, nanoTime).ifPresent(text -> print(text, nanoTime));
                lastLine.put(file.locator(), nanoTime);
            }
            // After the event: a retry seen in the tick a file started running belongs to its run.
            tracker.newRetry(file, nanoTime).ifPresent(retrying -> print(file.name() + ": " + retrying, nanoTime));
            if (previous == file.state() && file.state() == FileState.RUNNING
                    && nanoTime - lastLine.getOrDefault(file.locator(), nanoTime) >= INTERVAL_NANOS) {
                print(progress(file), nanoTime);
                lastLine.put(file.locator(), nanoTime);
            }
        }
        out.flush();
    }

    @Override
    public synchronized void finish(DownloadReport report, long nanoTime) {
        update(report.files(), nanoTime);
        Summary.print(out, report);
    }

    private java.util.Optional<String> event(FileStatus file, long nanoTime) {
        String text = switch (file.state()) {
            case RUNNING -> file.name() + ": downloading " + (file.size() >= 0 ? Format.bytes(file.size()) : "")
                    + (earlier(file) > 0 ? " (resuming: " + Format.bytes(earlier(file)) + " from an earlier run)" : "")
                    + (file.location().isPresent() ? " to " + file.location().get() : "");
            case VERIFYING -> file.name() + ": verifying";
            case DONE -> file.name() + ": done, " + Format.bytes(file.size() >= 0 ? file.size() : file.doneBytes())
                    + " in " + Format.duration(file.elapsed()) + " (" + Format.rate(Summary.rate(file)) + ")";
            case SKIPPED -> file.name() + ": already complete, skipped";
            case FAILED -> file.name() + ": failed: " + file.error().orElse("no reason given");
            case PENDING, DESCRIBING -> null;
        };
        return java.util.Optional.ofNullable(text).map(line -> line.replace("  ", " "));
    }

    /** Bytes an earlier run made durable: done but not moved by this run. */
    private static long earlier(FileStatus file) {
        return file.doneBytes() - file.transferredBytes();
    }

    private String progress(FileStatus file) {
        double rate = tracker.rate(file);
        String size = file.size() >= 0
                ? " of " + Format.bytes(file.size()) + " (" + Format.percent(file.doneBytes(), file.size()) + ")" : "";
        return file.name() + ": " + Format.bytes(file.doneBytes()) + size + ", " + Format.rate(rate) + ", ETA "
                + Format.eta(file.size() < 0 ? -1 : file.size() - file.doneBytes(), rate) + ", "
                + file.activeConnections() + " connection" + (file.activeConnections() == 1 ? "" : "s");
    }

    private void print(String text, long nanoTime) {
        out.println(String.format(Locale.ROOT, "[%7.1fs] %s", tracker.elapsedSeconds(nanoTime), text));
    }
}
