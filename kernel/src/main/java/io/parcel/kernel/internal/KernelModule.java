package io.parcel.kernel.internal;

import java.time.Clock;
import java.util.List;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;

import io.parcel.kernel.PluginInfo;
import io.parcel.spi.PluginContext;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.TransportFactory;

import static java.util.Objects.requireNonNull;

/**
 * Binds what discovery found: each factory into a map keyed by its name, per kind, plus the clock, the plugin context
 * the pipeline's tuning and the class loaders the kernel closes last. Only bindings: discovery happened before, and nothing here starts or opens anything.
 */
final class KernelModule extends AbstractModule {
    private final PluginCatalog catalog;
    private final Clock clock;
    private final PipelineTuning tuning;
    private final PluginLoaders loaders;

    KernelModule(PluginCatalog catalog, PluginLoaders loaders, Clock clock, PipelineTuning tuning) {
        this.loaders = requireNonNull(loaders, "loaders is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.tuning = requireNonNull(tuning, "tuning is null");
    }

    @Override
    protected void configure() {
        MapBinder<String, TransportFactory> transports = MapBinder.newMapBinder(binder(), String.class, TransportFactory.class);
        catalog.transports().forEach((name, factory) -> transports.addBinding(name).toInstance(factory));
        MapBinder<String, SourceFactory> sources = MapBinder.newMapBinder(binder(), String.class, SourceFactory.class);
        catalog.sources().forEach((name, factory) -> sources.addBinding(name).toInstance(factory));
        MapBinder<String, SinkFactory> sinks = MapBinder.newMapBinder(binder(), String.class, SinkFactory.class);
        catalog.sinks().forEach((name, factory) -> sinks.addBinding(name).toInstance(factory));

        bind(new TypeLiteral<List<PluginInfo>>() { }).toInstance(catalog.infos());
        bind(Clock.class).toInstance(clock);
        bind(PluginContext.class).toInstance(new KernelPluginContext(clock));
        bind(PipelineTuning.class).toInstance(tuning);
        bind(PluginLoaders.class).toInstance(loaders);
        bind(DownloadService.class).asEagerSingleton();
        bind(DefaultKernel.class).asEagerSingleton();
    }
}
