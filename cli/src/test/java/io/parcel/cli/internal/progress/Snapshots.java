package io.parcel.cli.internal.progress;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;
import io.parcel.spi.ExitCode;

/** Hand-made status snapshots, as a download would report them. */
final class Snapshots {
    static final long MIB = 1 << 20;
    static final long SECOND = 1_000_000_000L;

    private Snapshots() {
    }

    static FileStatus running(String name, long size, long done, long transferred, int connections, long seconds) {
        return new FileStatus("http://host/" + name, name, Optional.of("/data/" + name), size, done, transferred,
                connections, FileState.RUNNING, Duration.ofSeconds(seconds), Optional.empty(),
                Optional.empty(), 0);
    }

    static FileStatus pending(String name) {
        return new FileStatus("http://host/" + name, "http://host/" + name, Optional.empty(), -1, 0, 0, 0,
                FileState.PENDING, Duration.ZERO, Optional.empty(), Optional.empty(), 0);
    }

    /** How the kernel words a failed attempt to reach a file that it retries. */
    static final String RETRY = "attempt 1 of 6 failed (relay 10.0.0.1:9000 did not accept within 30000 ms over udt);"
            + " trying again in 0.4 s";

    /** A file still being described at 0 s, its first attempt failed at 30 s and still retried at 31 s. */
    static void describeThenRetry(ProgressView view) {
        view.update(List.of(describing("a.bin", null, 0)), 0);
        view.update(List.of(describing("a.bin", RETRY, 30)), 30 * SECOND);
        view.update(List.of(describing("a.bin", RETRY, 31)), 31 * SECOND);
    }

    /** Still describing; {@code retrying} as the kernel words it after a failed attempt, or null before one. */
    static FileStatus describing(String name, String retrying, long seconds) {
        return describing(name, retrying, seconds, retrying == null ? 0 : 1);
    }

    /** As above, after {@code retries} failed attempts. */
    static FileStatus describing(String name, String retrying, long seconds, int retries) {
        return new FileStatus("http://host/" + name, "http://host/" + name, Optional.empty(), -1, 0, 0, 0,
                FileState.DESCRIBING, Duration.ofSeconds(seconds), Optional.empty(), Optional.ofNullable(retrying),
                retries);
    }

    static FileStatus done(String name, long size, long seconds) {
        return done(name, size, seconds, 0);
    }

    /** Done after {@code retries} failed attempts were tried again. */
    static FileStatus done(String name, long size, long seconds, int retries) {
        return new FileStatus("http://host/" + name, name, Optional.of("/data/" + name), size, size, size, 0,
                FileState.DONE, Duration.ofSeconds(seconds), Optional.empty(), Optional.empty(), retries);
    }

    static FileStatus failed(String name, String reason) {
        return new FileStatus("http://host/" + name, name, Optional.empty(), -1, 0, 0, 0, FileState.FAILED,
                Duration.ofMillis(300), Optional.of(reason), Optional.empty(), 0);
    }

    static DownloadReport report(ExitCode code, long seconds, FileStatus... files) {
        return new DownloadReport(List.of(files), Duration.ofSeconds(seconds), code);
    }
}
