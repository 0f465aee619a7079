package io.parcel.kernel.internal;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Stage;

import io.parcel.kernel.Download;
import io.parcel.kernel.DownloadRequest;
import io.parcel.kernel.Kernel;
import io.parcel.kernel.KernelConfig;
import io.parcel.kernel.PluginInfo;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;
import io.parcel.spi.UsageException;

import static java.util.Objects.requireNonNull;

/** The kernel: plugins found and wired at start; downloads and transports made from them on demand. */
public final class DefaultKernel implements Kernel {
    private final Map<String, TransportFactory> transports;
    private final List<PluginInfo> plugins;
    private final DownloadService downloads;
    private final PluginContext context;
    private final PluginLoaders loaders;
    private boolean closed;

    @Inject
    DefaultKernel(Map<String, TransportFactory> transports, List<PluginInfo> plugins, DownloadService downloads,
                  PluginContext context, PluginLoaders loaders) {
        this.loaders = requireNonNull(loaders, "loaders is null");
        this.transports = Map.copyOf(requireNonNull(transports, "transports is null"));
        this.plugins = List.copyOf(requireNonNull(plugins, "plugins is null"));
        this.downloads = requireNonNull(downloads, "downloads is null");
        this.context = requireNonNull(context, "context is null");
    }

    public static Kernel start(KernelConfig config) throws UsageException {
        requireNonNull(config, "config is null");
        PluginDiscovery.Found found = new PluginDiscovery(DefaultKernel.class.getClassLoader())
                .discover(config.useClassPath(), config.pluginDirectories());
        try {
            return start(found.plugins(), found.loaders(), config.clock(), PipelineTuning.defaults());
        } catch (UsageException | RuntimeException | Error e) {
            found.loaders().forEach(StopSignal::closeQuietly);
            throw e;
        }
    }

    /**
     * A kernel over plugins already loaded; it closes {@code loaders} when it closes.
     */
    static DefaultKernel start(List<LoadedPlugin> plugins, List<? extends AutoCloseable> loaders, Clock clock,
                               PipelineTuning tuning) throws UsageException {
        PluginCatalog catalog = PluginCatalog.of(plugins);
        return Guice.createInjector(Stage.PRODUCTION, new KernelModule(catalog, new PluginLoaders(loaders), clock, tuning))
                .getInstance(DefaultKernel.class);
    }

    @Override
    public List<PluginInfo> plugins() {
        return plugins;
    }

    @Override
    public Transport openTransport(String name, Options options) throws IOException {
        requireNonNull(name, "name is null");
        requireNonNull(options, "options is null");
        checkOpen();
        Transport transport = DownloadService.transportFactory(transports, name).create(options, context);
        if (transport == null) {
            throw new UsageException("transport '" + name + "' could not be created: its factory returned null");
        }
        return transport;
    }

    @Override
    public Download startDownload(DownloadRequest request) throws UsageException {
        checkOpen();
        return downloads.start(request);
    }

    private synchronized void checkOpen() throws UsageException {
        if (closed) {
            throw new UsageException("the kernel is closed");
        }
    }

    /** Closes running downloads, then the plugin class loaders; transports handed out stay their owners' to close. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        downloads.closeAll();
        loaders.close();
    }
}
