package io.parcel.kernel;

import java.time.Duration;
import java.util.List;

import io.parcel.spi.ExitCode;

/**
 * The outcome of a download: one final status per file.
 *
 * @param files    in request order, each in a final state
 * @param elapsed  wall time of the whole download
 * @param exitCode {@link ExitCode#SUCCESS} only when every file is DONE or SKIPPED
 */
public record DownloadReport(List<FileStatus> files, Duration elapsed, ExitCode exitCode) {
    public DownloadReport {
        files = List.copyOf(files);
    }
}
