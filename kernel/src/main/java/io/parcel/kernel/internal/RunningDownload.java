package io.parcel.kernel.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.parcel.kernel.Download;
import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;
import io.parcel.spi.ExitCode;

import static java.util.Objects.requireNonNull;

/**
 * A download in progress: a coordinator thread runs the files, a few at a time, and when all are final it closes the
 * source, the sink and the transport (in that order: the source uses the transport) and completes the report.
 * The download owns those three from construction on.
 */
final class RunningDownload implements Download {
    private static final System.Logger LOG = System.getLogger(RunningDownload.class.getName());
    private static final AtomicInteger DOWNLOADS = new AtomicInteger();

    private final List<FileTransfer> files;
    /** {@link #SHARED_CONNECTIONS}, or how many files run at once, each with its own connections. */
    private final int parallelFiles;
    /** The connections the files share, when they do. */
    private final int connections;
    private final List<AutoCloseable> resources;
    private final Clock clock;
    private final Duration closeGrace;
    private final Consumer<RunningDownload> onClosed;
    private final CompletableFuture<DownloadReport> report = new CompletableFuture<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean resourcesClosed = new AtomicBoolean();
    private final AtomicInteger nextFile = new AtomicInteger();
    private final Instant started;

    /** {@code parallelFiles} value: the files share {@code connections} connections (see {@link #launchSharing}). */
    static final int SHARED_CONNECTIONS = 0;

    /**
     * @param parallelFiles {@link #SHARED_CONNECTIONS}, or how many files run at once
     * @param connections   the connections shared files use at most together
     * @param resources  closed in this order once every file is final
     * @param closeGrace how long {@link #close()} waits for the files to stop before releasing resources under them
     * @param onClosed   told once the download is closed
     */
    RunningDownload(List<FileTransfer> files, int parallelFiles, int connections, List<AutoCloseable> resources,
                    Clock clock, Duration closeGrace, Consumer<RunningDownload> onClosed) {
        this.files = List.copyOf(requireNonNull(files, "files is null"));
        if (parallelFiles < 0 || connections < 1) {
            throw new IllegalArgumentException("parallelFiles must be >= 0 and connections >= 1");
        }
        this.parallelFiles = parallelFiles;
        this.connections = connections;
        this.resources = List.copyOf(requireNonNull(resources, "resources is null"));
        this.clock = requireNonNull(clock, "clock is null");
        this.closeGrace = requireNonNull(closeGrace, "closeGrace is null");
        this.onClosed = requireNonNull(onClosed, "onClosed is null");
        this.started = clock.instant();
    }

    void start() {
        Thread.ofPlatform().name("parcel-download-" + DOWNLOADS.incrementAndGet()).daemon(true).start(this::coordinate);
    }

    private void coordinate() {
        try {
            List<Thread> runners = parallelFiles == SHARED_CONNECTIONS ? launchSharing() : launchFixed();
            for (Thread runner : runners) {
                // Each runner ends when its files are final; every file's work is bounded (timeouts, retries).
                runner.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "download coordinator failed", e);
            cancel();
        } finally {
            files.forEach(FileTransfer::cancelIfPending);
            closeResources();
            report.complete(buildReport());
        }
    }

    /** {@code parallelFiles} runners, each taking the next file when its last one is final. */
    private List<Thread> launchFixed() {
        int threads = Math.min(parallelFiles, files.size());
        List<Thread> runners = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            runners.add(Thread.ofPlatform().name("parcel-files-" + (i + 1)).daemon(true).start(this::runFiles));
        }
        return runners;
    }

    private void runFiles() {
        while (!cancelled.get()) {
            int index = nextFile.getAndIncrement();
            if (index >= files.size()) {
                return;
            }
            runFile(index, ConnectionLease.unshared());
        }
    }

    /**
     * The files in order, each as soon as one of {@code connections} is free and no file started before it could use
     * another: small files (one connection each) run side by side, up to that many at once, and a large one grows
     * to its connections as the files before it end, its description and first bytes overlapping their tails.
     * Returns each file's thread.
     */
    private List<Thread> launchSharing() throws InterruptedException {
        ConnectionLease.Budget budget = new ConnectionLease.Budget(connections);
        List<Thread> runners = new ArrayList<>();
        for (int index = 0; index < files.size(); index++) {
            // A cancelled download's files end and give their connections back; this wait ends at the cancel.
            Optional<ConnectionLease> lease = budget.nextFile(cancelled::get);
            if (lease.isEmpty()) {
                break;
            }
            int file = index;
            ConnectionLease taken = lease.get();
            runners.add(Thread.ofPlatform().name("parcel-files-" + (index + 1)).daemon(true)
                    .start(() -> runFile(file, taken)));
        }
        return runners;
    }

    private void runFile(int index, ConnectionLease lease) {
        try {
            files.get(index).run(lease);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "file " + index + " failed unexpectedly", e);
        } finally {
            lease.releaseAll();
        }
    }

    private DownloadReport buildReport() {
        List<FileStatus> statuses = status();
        boolean allGood = statuses.stream()
                .allMatch(file -> file.state() == FileState.DONE || file.state() == FileState.SKIPPED);
        return new DownloadReport(statuses, Duration.between(started, clock.instant()), exitCode(allGood, statuses));
    }

    /**
     * 0 when every file is in place; 2 when the only failures were the user's input (an unsupported URL, a file
     * that exists and differs) and nothing was transferred, as the exit codes promise; 1 otherwise.
     */
    private ExitCode exitCode(boolean allGood, List<FileStatus> statuses) {
        if (allGood) {
            return ExitCode.SUCCESS;
        }
        boolean onlyUsage = true;
        for (int index = 0; index < files.size(); index++) {
            FileState state = statuses.get(index).state();
            onlyUsage &= state == FileState.DONE || state == FileState.SKIPPED || files.get(index).failedOnUsage();
        }
        long transferred = statuses.stream().mapToLong(FileStatus::transferredBytes).sum();
        return onlyUsage && transferred == 0 ? ExitCode.USAGE : ExitCode.FAILURE;
    }

    private void closeResources() {
        if (resourcesClosed.compareAndSet(false, true)) {
            resources.forEach(StopSignal::closeQuietly);
        }
    }

    @Override
    public List<FileStatus> status() {
        return files.stream().map(FileTransfer::status).toList();
    }

    @Override
    public Optional<DownloadReport> await(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(report.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("download report failed", e.getCause());
        }
    }

    @Override
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            files.forEach(FileTransfer::cancel);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        cancel();
        try {
            if (await(closeGrace).isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "download did not stop within {0} s; releasing its resources under it",
                        closeGrace.toSeconds());
                closeResources();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeResources();
        } finally {
            onClosed.accept(this);
        }
    }

    boolean isFinished() {
        return report.isDone();
    }
}
