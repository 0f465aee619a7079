package io.parcel.cli.internal.progress;

import java.util.List;

import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.FileStatus;

/** {@code -q}: nothing but the errors, which the caller prints. */
final class QuietView implements ProgressView {
    @Override
    public void update(List<FileStatus> files, long nanoTime) {
    }

    @Override
    public void finish(DownloadReport report, long nanoTime) {
    }
}
