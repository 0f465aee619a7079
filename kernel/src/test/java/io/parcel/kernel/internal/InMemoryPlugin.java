package io.parcel.kernel.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.parcel.spi.CommonOptions;
import io.parcel.spi.Options;
import io.parcel.spi.Plugin;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Sink;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.Source;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;

/**
 * Offers the test's own source and sink under the names "memory", and a transport "memory" that has no network.
 * Counts what it creates, and whether the transport was closed.
 */
final class InMemoryPlugin implements Plugin {
    static final String NAME = "memory";

    private final InMemorySource source;
    private final InMemorySink sink;
    final AtomicInteger transportsCreated = new AtomicInteger();
    final AtomicInteger transportsClosed = new AtomicInteger();
    final AtomicInteger sourcesCreated = new AtomicInteger();
    /** Every transport a source was created with, in order (the plugin's own, or a relay wrapping it). */
    final List<Transport> transportsGiven = new java.util.concurrent.CopyOnWriteArrayList<>();

    InMemoryPlugin(InMemorySource source, InMemorySink sink) {
        this.source = source;
        this.sink = sink;
    }

    @Override
    public List<TransportFactory> transports() {
        return List.of(new TransportFactory() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Transport create(Options options, PluginContext context) {
                transportsCreated.incrementAndGet();
                return new Transport() {
                    @Override
                    public String name() {
                        return NAME;
                    }

                    @Override
                    public Socket connect(InetSocketAddress remote, Duration timeout) throws IOException {
                        throw new IOException("the in-memory transport has no network");
                    }

                    @Override
                    public ServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
                        throw new IOException("the in-memory transport has no network");
                    }

                    @Override
                    public void close() {
                        transportsClosed.incrementAndGet();
                    }
                };
            }
        });
    }

    @Override
    public List<SourceFactory> sources() {
        return List.of(new SourceFactory() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Source create(Options options, Transport transport, PluginContext context) throws IOException {
                sourcesCreated.incrementAndGet();
                transportsGiven.add(transport);
                source.ioTimeout(options.get(CommonOptions.IO_TIMEOUT));
                return source;
            }
        });
    }

    @Override
    public List<SinkFactory> sinks() {
        return List.of(new SinkFactory() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Sink create(Options options, PluginContext context) {
                return sink;
            }
        });
    }
}
