package io.parcel.kernel.internal;

import java.util.List;

import io.parcel.spi.Options;
import io.parcel.spi.Plugin;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;

/** A plugin on the test class path (listed in META-INF/services), for class path discovery and name clashes. */
public final class ClassPathProbePlugin implements Plugin {
    static final String TRANSPORT = "classpath-probe";

    @Override
    public List<TransportFactory> transports() {
        return List.of(new TransportFactory() {
            @Override
            public String name() {
                return TRANSPORT;
            }

            @Override
            public String description() {
                return "found on the class path";
            }

            @Override
            public Transport create(Options options, PluginContext context) {
                throw new UnsupportedOperationException("a probe only");
            }
        });
    }
}
