package io.parcel.kernel.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.google.inject.Inject;

import io.parcel.kernel.DownloadItem;
import io.parcel.kernel.DownloadRequest;
import io.parcel.kernel.relay.RelayTransport;
import io.parcel.spi.NamedFactory;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Sink;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.Source;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;
import io.parcel.spi.UsageException;

import static java.util.Objects.requireNonNull;

/**
 * Starts downloads: checks the request, creates transport, source and sink from the request's options, and hands
 * them to a {@link RunningDownload}. Tracks the downloads it started so the kernel can close them.
 */
final class DownloadService {
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

    private final Map<String, TransportFactory> transports;
    private final Map<String, SourceFactory> sources;
    private final Map<String, SinkFactory> sinks;
    private final PluginContext context;
    private final Clock clock;
    private final PipelineTuning tuning;
    private final Set<RunningDownload> running = new LinkedHashSet<>();
    private boolean closed;

    @Inject
    DownloadService(Map<String, TransportFactory> transports, Map<String, SourceFactory> sources,
                    Map<String, SinkFactory> sinks, PluginContext context, Clock clock, PipelineTuning tuning) {
        this.transports = Map.copyOf(requireNonNull(transports, "transports is null"));
        this.sources = Map.copyOf(requireNonNull(sources, "sources is null"));
        this.sinks = Map.copyOf(requireNonNull(sinks, "sinks is null"));
        this.context = requireNonNull(context, "context is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.tuning = requireNonNull(tuning, "tuning is null");
    }

    RunningDownload start(DownloadRequest request) throws UsageException {
        requireNonNull(request, "request is null");
        DownloadSettings settings = DownloadSettings.from(request.options());
        TransportFactory transportFactory = transportFactory(transports, settings.transport());
        SourceFactory sourceFactory = lookup("source", sources, settings.source());
        SinkFactory sinkFactory = lookup("sink", sinks, settings.sink());
        List<DownloadItem> items = distinct(request.items());

        List<AutoCloseable> created = new ArrayList<>();
        try {
            Transport transport = create("transport", settings.transport(),
                    () -> relayed(transportFactory.create(request.options(), context), request.options()));
            created.add(transport);
            Source source = create("source", settings.source(),
                    () -> sourceFactory.create(request.options(), transport, context));
            created.add(0, source);
            Sink sink = create("sink", settings.sink(), () -> sinkFactory.create(request.options(), context));
            created.add(1, sink);

            RateLimiter limiter = settings.limitRate() > 0
                    ? new RateLimiter(settings.limitRate(), Math.max(settings.limitRate() / 10, 64 << 10), System::nanoTime)
                    : null;
            List<FileTransfer> files = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                files.add(new FileTransfer(i, items.get(i), settings, tuning, source, sink, limiter, clock));
            }
            RunningDownload download = new RunningDownload(files, settings.parallelFiles(), settings.connections(), created,
                    clock, CLOSE_GRACE, this::forget);
            synchronized (this) {
                if (closed) {
                    throw new UsageException("the kernel is closed");
                }
                running.add(download);
            }
            download.start();
            return download;
        } catch (UsageException | RuntimeException | Error e) {
            created.forEach(StopSignal::closeQuietly);
            throw e;
        }
    }

    /** Closes every download still running; later starts fail. */
    void closeAll() {
        List<RunningDownload> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(running);
        }
        toClose.forEach(RunningDownload::close);
    }

    private synchronized void forget(RunningDownload download) {
        running.remove(download);
    }

    static TransportFactory transportFactory(Map<String, TransportFactory> transports, String name) throws UsageException {
        TransportFactory factory = lookup("transport", transports, name);
        if (!factory.isAvailable()) {
            throw new UsageException("transport '" + name + "' is not available here: "
                    + factory.unavailabilityCause().orElse("no reason given"));
        }
        return factory;
    }

    static <F extends NamedFactory> F lookup(String kind, Map<String, F> factories, String name) throws UsageException {
        F factory = factories.get(name);
        if (factory == null) {
            Set<String> known = new TreeSet<>(factories.keySet());
            throw new UsageException("unknown " + kind + " '" + name + "'; known " + kind + "s: "
                    + (known.isEmpty() ? "none (no plugin provides one)" : String.join(", ", known)));
        }
        return factory;
    }

    private static List<DownloadItem> distinct(List<DownloadItem> items) throws UsageException {
        if (items.isEmpty()) {
            throw new UsageException("nothing to download: give at least one URL or file ID");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<DownloadItem> result = new ArrayList<>();
        for (DownloadItem item : items) {
            if (item.locator().isBlank()) {
                throw new UsageException("an empty URL or file ID was given");
            }
            if (seen.add(item.locator())) {
                result.add(item);
            }
        }
        return result;
    }

    /**
     * {@code inner} itself, or with {@code via} a relay transport over it that then owns it. When the relay options are
     * refused, {@code inner} is closed here: nobody else holds it yet.
     */
    private static Transport relayed(Transport inner, Options options) throws UsageException {
        if (inner == null) {
            return null; // create(...) reports the factory that returned null
        }
        try {
            return RelayTransport.wrap(inner, options);
        } catch (UsageException | RuntimeException e) {
            inner.close();
            throw e;
        }
    }

    private interface Creation<T> {
        T create() throws IOException;
    }

    /** Plugin set-up failures happen before anything is transferred, so they are usage errors naming the plugin. */
    private static <T> T create(String kind, String name, Creation<T> creation) throws UsageException {
        try {
            T created = creation.create();
            if (created == null) {
                throw new UsageException(kind + " '" + name + "' could not be created: its factory returned null");
            }
            return created;
        } catch (UsageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UsageException(kind + " '" + name + "' could not be set up: "
                    + (e.getMessage() != null && e instanceof IOException ? e.getMessage() : Errors.describe(e)), e);
        }
    }
}
