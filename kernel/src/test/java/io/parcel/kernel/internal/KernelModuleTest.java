package io.parcel.kernel.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;

import io.parcel.kernel.PluginInfo;
import io.parcel.spi.PluginContext;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.TransportFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelModuleTest {
    @Test
    void bindsEveryFactoryByNameAndTheClockForPlugins() throws Exception {
        InMemoryPlugin plugin = new InMemoryPlugin(new InMemorySource(), new InMemorySink());
        PluginCatalog catalog = PluginCatalog.of(List.of(new LoadedPlugin(plugin, getClass().getClassLoader(), "test",
                "9.9", "test plugin"), new LoadedPlugin(new ClassPathProbePlugin(), getClass().getClassLoader(),
                "class path", "unknown", "probe")));
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T00:00:00Z"), ZoneOffset.UTC);

        Injector injector = Guice.createInjector(new KernelModule(catalog, new PluginLoaders(List.of()), clock,
                PipelineTuning.defaults()));

        Map<String, TransportFactory> transports = injector.getInstance(Key.get(new TypeLiteral<Map<String, TransportFactory>>() { }));
        Map<String, SourceFactory> sources = injector.getInstance(Key.get(new TypeLiteral<Map<String, SourceFactory>>() { }));
        Map<String, SinkFactory> sinks = injector.getInstance(Key.get(new TypeLiteral<Map<String, SinkFactory>>() { }));
        assertEquals(java.util.Set.of("memory", "classpath-probe"), transports.keySet());
        assertEquals(java.util.Set.of("memory"), sources.keySet());
        assertEquals(java.util.Set.of("memory"), sinks.keySet());
        assertTrue(transports.get("memory") instanceof Isolation.IsolatedTransportFactory,
                "consumers only ever see factories that swap the context class loader");
        assertSame(clock, injector.getInstance(PluginContext.class).clock());
        assertEquals(List.of("classpath-probe", "memory", "memory", "memory"),
                injector.getInstance(Key.get(new TypeLiteral<List<PluginInfo>>() { })).stream().map(PluginInfo::name).toList());
    }
}
