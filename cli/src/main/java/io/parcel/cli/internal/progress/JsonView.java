package io.parcel.cli.internal.progress;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;

import static java.util.Objects.requireNonNull;

/**
 * {@code --progress=json}: one JSON object per line. Every tick a {@code "progress"} object with the active files and
 * the total; a {@code "file"} object when a file reaches its final state; at the end one {@code "summary"} object.
 * Sizes are in bytes, times in seconds, rates in bytes per second; unknown numbers are null.
 */
final class JsonView implements ProgressView {
    private final PrintWriter out;
    private final Tracker tracker = new Tracker();
    private final Set<String> reported = new HashSet<>();

    JsonView(PrintWriter out) {
        this.out = requireNonNull(out, "out is null");
    }

    @Override
    public synchronized void update(List<FileStatus> files, long nanoTime) {
        tracker.record(files, nanoTime);
        reportFinished(files);
        Json json = new Json().beginObject().field("event", "progress")
                .field("elapsed_seconds", tracker.elapsedSeconds(nanoTime)).beginArray("files");
        for (FileStatus file : files) {
            if (Tracker.isActive(file)) {
                double rate = tracker.rate(file);
                json.beginObject().field("locator", file.locator()).field("name", file.name())
                        .field("state", file.state().name()).size("size", file.size())
                        .field("done_bytes", file.doneBytes()).field("transferred_bytes", file.transferredBytes())
                        .field("connections", file.activeConnections())
                        .field("rate_bytes_per_second", rate)
                        .field("eta_seconds", eta(file.size() < 0 ? -1 : file.size() - file.doneBytes(), rate));
                json.field("retries", file.retries());
                file.retrying().ifPresent(retrying -> json.field("retrying", retrying));
                json.endObject();
            }
        }
        Tracker.Totals totals = Tracker.totals(files);
        json.endArray().beginObject("total").field("files", totals.files()).field("finished", totals.finished())
                .field("failed", totals.failed()).size("size", totals.size())
                .field("done_bytes", totals.doneBytes()).field("connections", totals.connections())
                .field("rate_bytes_per_second", tracker.totalRate())
                .field("eta_seconds", eta(totals.size() < 0 ? -1 : totals.size() - totals.doneBytes(),
                        tracker.totalRate()))
                .endObject().endObject();
        out.println(json);
        out.flush();
    }

    @Override
    public synchronized void finish(DownloadReport report, long nanoTime) {
        reportFinished(report.files());
        int done = 0;
        int skipped = 0;
        int failed = 0;
        Json json = new Json().beginObject().field("event", "summary")
                .field("exit_code", report.exitCode().code())
                .field("elapsed_seconds", report.elapsed().toNanos() / 1e9).beginArray("files");
        for (FileStatus file : report.files()) {
            fileFields(json.beginObject(), file).endObject();
            done += file.state() == FileState.DONE ? 1 : 0;
            skipped += file.state() == FileState.SKIPPED ? 1 : 0;
            failed += file.state() == FileState.FAILED ? 1 : 0;
        }
        json.endArray().field("done", done).field("skipped", skipped).field("failed", failed).endObject();
        out.println(json);
        out.flush();
    }

    private void reportFinished(List<FileStatus> files) {
        for (FileStatus file : files) {
            if (file.state().isFinal() && reported.add(file.locator())) {
                Json json = fileFields(new Json().beginObject().field("event", "file"), file).endObject();
                out.println(json);
            }
        }
    }

    private static Json fileFields(Json json, FileStatus file) {
        return json.field("locator", file.locator()).field("name", file.name())
                .field("location", file.location().orElse(null)).field("state", file.state().name())
                .size("size", file.size()).field("done_bytes", file.doneBytes())
                .field("transferred_bytes", file.transferredBytes())
                .field("elapsed_seconds", file.elapsed().toNanos() / 1e9)
                .field("rate_bytes_per_second", Summary.rate(file))
                .field("error", file.error().orElse(null)).field("retries", file.retries());
    }

    private static double eta(long remaining, double rate) {
        return remaining >= 0 && rate > 0 ? remaining / rate : Double.NaN;
    }
}
