package io.parcel.kernel;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A running download. Any thread may read {@link #status()} at any time (a progress display polls it).
 */
public interface Download extends AutoCloseable {
    /** A consistent snapshot of every file, in request order. */
    List<FileStatus> status();

    /** Waits at most {@code timeout} for the download to end; empty if it is still running. */
    Optional<DownloadReport> await(Duration timeout) throws InterruptedException;

    /** Stops all transfers, keeping what is durable for a resume; {@link #await} then returns promptly. */
    void cancel();

    /** Cancels if still running and releases everything. */
    @Override
    void close();
}
