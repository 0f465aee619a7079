package io.parcel.kernel.internal;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;

import io.parcel.kernel.PluginInfo;
import io.parcel.spi.PluginContext;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.TransportFactory;

import static java.util.Objects.requireNonNull;

/**
 * Binds what discovery found: each factory into a map keyed by its name, per kind, plus the clock, the plugin context
 * the pipeline's tuning and the class loaders the kernel closes last. Only bindings: discovery happened before, and
 * nothing here starts or opens anything.
 *
 * <p>Each map is bound whole, as an instance, not entry by entry with Guice's {@code MapBinder}: the catalog has
 * already checked the names (no duplicates), which is what a MapBinder would add, and the MapBinder machinery
 * (about 45 more classes to initialize, its own internal bindings per map) cost every start of {@code parcel
 * download} 13-39 ms (three A/B sets of 20-24 launches on loopback).
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
        bind(new TypeLiteral<Map<String, TransportFactory>>() { }).toInstance(catalog.transports());
        bind(new TypeLiteral<Map<String, SourceFactory>>() { }).toInstance(catalog.sources());
        bind(new TypeLiteral<Map<String, SinkFactory>>() { }).toInstance(catalog.sinks());
        bind(new TypeLiteral<List<PluginInfo>>() { }).toInstance(catalog.infos());
        bind(Clock.class).toInstance(clock);
        bind(PluginContext.class).toInstance(new KernelPluginContext(clock));
        bind(PipelineTuning.class).toInstance(tuning);
        bind(PluginLoaders.class).toInstance(loaders);
        bind(DownloadService.class).asEagerSingleton();
        bind(DefaultKernel.class).asEagerSingleton();
    }
}
