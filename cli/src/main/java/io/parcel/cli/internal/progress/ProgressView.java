package io.parcel.cli.internal.progress;

import java.util.List;

import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.FileStatus;

/**
 * Shows a running download. {@link #update} is called from the progress thread, {@link #finish} once from the
 * thread that waited for the download, after the last update returned.
 */
public interface ProgressView {
    /**
     * @param files    the download's latest snapshot, in request order
     * @param nanoTime when it was taken, on the {@link System#nanoTime()} scale
     */
    void update(List<FileStatus> files, long nanoTime);

    /** Clears what {@link #update} drew and prints the summary. */
    void finish(DownloadReport report, long nanoTime);

    /** The view for {@code mode} (already resolved), or one that prints nothing when {@code quiet}. */
    static ProgressView create(ProgressMode mode, boolean quiet, java.io.PrintWriter out, int columns) {
        if (quiet) {
            return new QuietView();
        }
        return switch (mode) {
            case BAR -> new BarView(out, columns);
            case JSON -> new JsonView(out);
            case PLAIN, AUTO -> new PlainView(out);
        };
    }
}
