package io.parcel.cli.internal.progress;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.parcel.kernel.FileStatus;

import static java.util.Objects.requireNonNull;

/**
 * Polls a download's status on its own daemon thread and hands each snapshot to a {@link ProgressView}. A failing
 * view is logged and skipped, never allowed to stop the ticks. {@link #close()} stops the polling and waits for a tick
 * in progress, so the view may be used by the closing thread afterwards.
 */
public final class ProgressTicker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProgressTicker.class.getName());
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);

    private final ScheduledExecutorService scheduler;

    private ProgressTicker(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    public static ProgressTicker start(Supplier<List<FileStatus>> status, ProgressView view, Duration interval) {
        requireNonNull(status, "status is null");
        requireNonNull(view, "view is null");
        requireNonNull(interval, "interval is null");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parcel-progress");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                view.update(status.get(), System.nanoTime());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "progress display failed", e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return new ProgressTicker(scheduler);
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
