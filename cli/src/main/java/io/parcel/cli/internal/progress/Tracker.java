package io.parcel.cli.internal.progress;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;

/**
 * Rates per file and in total, and which failed attempts were already shown, fed with every snapshot a view sees. Not
 * thread-safe; one per view.
 */
final class Tracker {
    /** The shortest time between two retry lines of one file. */
    static final long RETRY_LINE_NANOS = 5_000_000_000L;

    private final Map<String, RateMeter> meters = new HashMap<>();
    private final Map<String, ShownRetry> shownRetries = new HashMap<>();
    private final RateMeter total = new RateMeter();
    private Long firstNanos;

    /** The last retry notice shown for a file, and when. */
    private record ShownRetry(String notice, long nanoTime) {
    }

    /** The sums over one snapshot. */
    record Totals(int files, int finished, int failed, long size, long doneBytes, int connections) {
    }

    void record(List<FileStatus> files, long nanoTime) {
        if (firstNanos == null) {
            firstNanos = nanoTime;
        }
        long transferred = 0;
        for (FileStatus file : files) {
            meters.computeIfAbsent(file.locator(), locator -> new RateMeter()).record(nanoTime, file.transferredBytes());
            transferred += file.transferredBytes();
        }
        total.record(nanoTime, transferred);
    }

    /**
     * The file's {@link FileStatus#retrying} the first time a view asks about it; empty otherwise. While the file runs,
     * at most one per file every {@link #RETRY_LINE_NANOS}: its connections may fail many at a time, and a server that
     * keeps cutting them gets a line every few seconds instead of one per cut. Attempts to describe a file are few
     * (--retries) and each may wait out a timeout, so each is shown. Once a file has been retried more than once, the
     * line says how many times so far, those between two samples included.
     */
    Optional<String> newRetry(FileStatus file, long nanoTime) {
        Optional<String> retrying = file.retrying();
        ShownRetry last = shownRetries.get(file.locator());
        if (retrying.isEmpty() || last != null && (retrying.get().equals(last.notice())
                || file.state() == FileState.RUNNING && nanoTime - last.nanoTime() < RETRY_LINE_NANOS)) {
            return Optional.empty();
        }
        shownRetries.put(file.locator(), new ShownRetry(retrying.get(), nanoTime));
        return Optional.of(file.retries() > 1
                ? retrying.get() + " (" + file.retries() + " retries so far)" : retrying.get());
    }

    double rate(FileStatus file) {
        RateMeter meter = meters.get(file.locator());
        return meter == null ? Double.NaN : meter.rate();
    }

    double totalRate() {
        return total.rate();
    }

    /** Seconds since the first snapshot. */
    double elapsedSeconds(long nanoTime) {
        return firstNanos == null ? 0 : (nanoTime - firstNanos) / 1e9;
    }

    static boolean isActive(FileStatus file) {
        return file.state() == FileState.DESCRIBING || file.state() == FileState.RUNNING
                || file.state() == FileState.VERIFYING;
    }

    /** Sizes add up only when every size is known; else the total size is -1. */
    static Totals totals(List<FileStatus> files) {
        int finished = 0;
        int failed = 0;
        long size = 0;
        long done = 0;
        int connections = 0;
        for (FileStatus file : files) {
            if (file.state().isFinal()) {
                finished++;
            }
            if (file.state() == FileState.FAILED) {
                failed++;
            }
            size = size < 0 || file.size() < 0 ? -1 : size + file.size();
            done += file.doneBytes();
            connections += file.activeConnections();
        }
        return new Totals(files.size(), finished, failed, size, done, connections);
    }
}
