package io.parcel.cli.internal;

import java.time.Duration;
import java.util.Optional;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.progress.ProgressTicker;
import io.parcel.cli.internal.progress.ProgressView;
import io.parcel.kernel.Download;
import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.DownloadRequest;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;
import io.parcel.kernel.Kernel;
import io.parcel.spi.UsageException;

import static java.util.Objects.requireNonNull;

/**
 * Runs one download to its end with a progress view: starts it, polls its status, prints the summary and one error
 * line per failed file. Ctrl-C cancels the download so that what is durable stays for a resume.
 */
public final class TransferRunner {
    private static final System.Logger LOG = System.getLogger(TransferRunner.class.getName());
    static final Duration TICK = Duration.ofMillis(200);
    private static final Duration AWAIT_STEP = Duration.ofSeconds(1);
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(5);

    private final CliEnvironment environment;
    private final ProgressView view;

    public TransferRunner(CliEnvironment environment, ProgressView view) {
        this.environment = requireNonNull(environment, "environment is null");
        this.view = requireNonNull(view, "view is null");
    }

    @SuppressWarnings("try") // the ticker is held for its scope only
    public DownloadReport run(Kernel kernel, DownloadRequest request) throws UsageException, InterruptedException {
        requireNonNull(kernel, "kernel is null");
        requireNonNull(request, "request is null");
        LOG.log(System.Logger.Level.DEBUG, () -> "download of " + request.items().size() + " item(s) with options "
                + DownloadSettings.describe(request.options()));
        DownloadReport report;
        try (Download download = kernel.startDownload(request)) {
            Thread onInterrupt = new Thread(() -> cancel(download), "parcel-interrupt");
            boolean hooked = addShutdownHook(onInterrupt);
            try (ProgressTicker ignored = ProgressTicker.start(download::status, view, TICK)) {
                report = awaitEnd(download);
            } finally {
                if (hooked) {
                    removeShutdownHook(onInterrupt);
                }
            }
        }
        view.finish(report, System.nanoTime());
        for (FileStatus file : report.files()) {
            if (file.state() == FileState.FAILED) {
                environment.err().println("parcel: " + file.name() + ": " + file.error().orElse("failed"));
            }
        }
        environment.err().flush();
        LOG.log(System.Logger.Level.DEBUG, () -> "download ended with exit code " + report.exitCode().code()
                + " after " + report.elapsed());
        return report;
    }

    /** The kernel promises every transfer has a deadline, so this ends; the steps keep it responsive to interrupts. */
    private static DownloadReport awaitEnd(Download download) throws InterruptedException {
        try {
            while (true) {
                Optional<DownloadReport> report = download.await(AWAIT_STEP);
                if (report.isPresent()) {
                    return report.get();
                }
            }
        } catch (InterruptedException e) {
            download.cancel();
            throw e;
        }
    }

    private void cancel(Download download) {
        environment.err().println();
        environment.err().println("parcel: interrupted; what was downloaded is kept, run the same command again to resume");
        environment.err().flush();
        download.cancel();
        try {
            download.await(CANCEL_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean addShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException e) {
            return false; // already shutting down
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs or ran
        }
    }
}
