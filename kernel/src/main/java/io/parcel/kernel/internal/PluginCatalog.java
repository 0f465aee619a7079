package io.parcel.kernel.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.parcel.kernel.PluginInfo;
import io.parcel.kernel.PluginKind;
import io.parcel.spi.NamedFactory;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.TransportFactory;
import io.parcel.spi.UsageException;

import static java.util.Objects.requireNonNull;

/**
 * Every factory of every loaded plugin, by kind and name, each wrapped so its calls run under its plugin's class
 * loader. Built once at start; immutable. Rejects two factories of one kind with one name, naming both origins.
 */
final class PluginCatalog {
    private final Map<String, TransportFactory> transports;
    private final Map<String, SourceFactory> sources;
    private final Map<String, SinkFactory> sinks;
    private final List<PluginInfo> infos;

    private PluginCatalog(Map<String, TransportFactory> transports, Map<String, SourceFactory> sources,
                          Map<String, SinkFactory> sinks, List<PluginInfo> infos) {
        this.transports = Map.copyOf(transports);
        this.sources = Map.copyOf(sources);
        this.sinks = Map.copyOf(sinks);
        this.infos = List.copyOf(infos);
    }

    static PluginCatalog of(List<LoadedPlugin> plugins) throws UsageException {
        requireNonNull(plugins, "plugins is null");
        Builder builder = new Builder();
        for (LoadedPlugin loaded : plugins) {
            List<TransportFactory> transports;
            List<SourceFactory> sources;
            List<SinkFactory> sinks;
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loaded.loader())) {
                transports = List.copyOf(loaded.plugin().transports());
                sources = List.copyOf(loaded.plugin().sources());
                sinks = List.copyOf(loaded.plugin().sinks());
            } catch (RuntimeException | LinkageError e) {
                throw new UsageException(loaded.evidence() + ": listing its factories failed: " + Errors.describe(e), e);
            }
            for (TransportFactory factory : transports) {
                builder.add(PluginKind.TRANSPORT, loaded, factory,
                        raw -> new Isolation.IsolatedTransportFactory(raw, loaded.loader()), builder.transports);
            }
            for (SourceFactory factory : sources) {
                builder.add(PluginKind.SOURCE, loaded, factory,
                        raw -> new Isolation.IsolatedSourceFactory(raw, loaded.loader()), builder.sources);
            }
            for (SinkFactory factory : sinks) {
                builder.add(PluginKind.SINK, loaded, factory,
                        raw -> new Isolation.IsolatedSinkFactory(raw, loaded.loader()), builder.sinks);
            }
        }
        builder.infos.sort(Comparator.comparing(PluginInfo::kind).thenComparing(PluginInfo::name));
        return new PluginCatalog(builder.transports, builder.sources, builder.sinks, builder.infos);
    }

    Map<String, TransportFactory> transports() {
        return transports;
    }

    Map<String, SourceFactory> sources() {
        return sources;
    }

    Map<String, SinkFactory> sinks() {
        return sinks;
    }

    /** Sorted by kind, then name. */
    List<PluginInfo> infos() {
        return infos;
    }

    private static final class Builder {
        private final Map<String, TransportFactory> transports = new LinkedHashMap<>();
        private final Map<String, SourceFactory> sources = new LinkedHashMap<>();
        private final Map<String, SinkFactory> sinks = new LinkedHashMap<>();
        private final List<PluginInfo> infos = new ArrayList<>();
        private final Map<String, String> evidenceByKey = new LinkedHashMap<>();

        <F extends NamedFactory> void add(PluginKind kind, LoadedPlugin loaded, F raw, Function<F, F> isolate,
                                          Map<String, F> into) throws UsageException {
            if (raw == null) {
                throw new UsageException(loaded.evidence() + ": lists a null " + kind.label() + " factory");
            }
            F factory;
            try {
                factory = isolate.apply(raw);
            } catch (RuntimeException | LinkageError e) {
                throw new UsageException(loaded.evidence() + ": " + kind.label() + " factory " + raw.getClass().getName()
                        + " failed to describe itself: " + Errors.describe(e), e);
            }
            String name = factory.name();
            if (name == null || !name.matches("[a-z0-9][a-z0-9._-]*")) {
                throw new UsageException(loaded.evidence() + ": " + kind.label() + " factory " + raw.getClass().getName()
                        + " has an invalid name '" + name + "' (expected lower-case letters, digits, '.', '_' or '-')");
            }
            String evidence = loaded.evidence() + " (factory " + raw.getClass().getName() + ")";
            String previous = evidenceByKey.putIfAbsent(kind + "/" + name, evidence);
            if (previous != null) {
                throw new UsageException("two " + kind.label() + " factories are named '" + name + "': one from "
                        + previous + ", one from " + evidence + "; remove one of them");
            }
            into.put(name, factory);
            Optional<String> unavailable = factory instanceof TransportFactory transport
                    ? transport.unavailabilityCause() : Optional.empty();
            infos.add(new PluginInfo(name, kind, loaded.version(), loaded.origin(),
                    factory.description() == null ? "" : factory.description(), unavailable));
        }
    }
}
