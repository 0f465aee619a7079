package io.parcel.kernel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Described;
import io.parcel.spi.Destination;
import io.parcel.spi.NamedFactory;
import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Resource;
import io.parcel.spi.Sink;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.Source;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;

import static java.util.Objects.requireNonNull;

/**
 * Wrappers that run every call into a plugin's objects with the plugin's class loader as the thread's context class
 * loader. The kernel only ever holds plugin objects through these, so no call can forget the swap. Names and
 * availability are read once, at discovery, and kept: listing plugins then runs no plugin code.
 */
final class Isolation {
    private Isolation() {
    }

    /**
     * What every isolated factory keeps: the plugin's loader, and its name, description and options read once
     * under that loader.
     */
    private abstract static class IsolatedNamedFactory implements NamedFactory {
        final ClassLoader loader;
        private final String name;
        private final String description;
        private final List<OptionKey<?>> options;

        IsolatedNamedFactory(NamedFactory delegate, ClassLoader loader) {
            requireNonNull(delegate, "delegate is null");
            this.loader = requireNonNull(loader, "loader is null");
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                this.name = delegate.name();
                this.description = delegate.description();
                this.options = List.copyOf(delegate.options());
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public List<OptionKey<?>> options() {
            return options;
        }
    }

    static final class IsolatedTransportFactory extends IsolatedNamedFactory implements TransportFactory {
        private final TransportFactory delegate;
        private final Optional<String> unavailabilityCause;

        IsolatedTransportFactory(TransportFactory delegate, ClassLoader loader) {
            super(delegate, loader);
            this.delegate = delegate;
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                this.unavailabilityCause = delegate.unavailabilityCause();
            }
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return unavailabilityCause;
        }

        @Override
        public Transport create(Options options, PluginContext context) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return new IsolatedTransport(delegate.create(options, context), loader);
            }
        }
    }

    static final class IsolatedSourceFactory extends IsolatedNamedFactory implements SourceFactory {
        private final SourceFactory delegate;

        IsolatedSourceFactory(SourceFactory delegate, ClassLoader loader) {
            super(delegate, loader);
            this.delegate = delegate;
        }

        @Override
        public Source create(Options options, Transport transport, PluginContext context) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return new IsolatedSource(delegate.create(options, transport, context), loader);
            }
        }
    }

    static final class IsolatedSinkFactory extends IsolatedNamedFactory implements SinkFactory {
        private final SinkFactory delegate;

        IsolatedSinkFactory(SinkFactory delegate, ClassLoader loader) {
            super(delegate, loader);
            this.delegate = delegate;
        }

        @Override
        public Sink create(Options options, PluginContext context) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return new IsolatedSink(delegate.create(options, context), loader);
            }
        }
    }

    private record IsolatedTransport(Transport delegate, ClassLoader loader) implements Transport {
        IsolatedTransport {
            requireNonNull(delegate, "transport factory returned a null transport");
        }

        @Override
        public String name() {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.name();
            }
        }

        @Override
        public Socket connect(InetSocketAddress remote, Duration timeout) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.connect(remote, timeout);
            }
        }

        @Override
        public ServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.listen(local, backlog);
            }
        }

        @Override
        public void close() {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.close();
            }
        }
    }

    private record IsolatedSource(Source delegate, ClassLoader loader) implements Source {
        IsolatedSource {
            requireNonNull(delegate, "source factory returned a null source");
        }

        @Override
        public Resource describe(String locator) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.describe(locator);
            }
        }

        @Override
        public Optional<String> likelyName(String locator) {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return requireNonNull(delegate.likelyName(locator), "source gave a null likely name");
            }
        }

        @Override
        public Described describeAndOpen(String locator, long firstBytes) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                Described described = requireNonNull(delegate.describeAndOpen(locator, firstBytes),
                        "source described " + locator + " as null");
                return new Described(described.resource(),
                        described.firstBytes().map(stream -> new IsolatedInputStream(stream, loader)));
            }
        }

        @Override
        public void prepareConnections(String locator, int connections) {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.prepareConnections(locator, connections);
            }
        }

        @Override
        public InputStream open(Resource resource, ByteRange range) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return new IsolatedInputStream(delegate.open(resource, range), loader);
            }
        }

        @Override
        public void close() {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.close();
            }
        }
    }

    private static final class IsolatedInputStream extends InputStream {
        private final InputStream delegate;
        private final ClassLoader loader;

        IsolatedInputStream(InputStream delegate, ClassLoader loader) {
            this.delegate = requireNonNull(delegate, "source returned a null stream");
            this.loader = loader;
        }

        @Override
        public int read() throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.read();
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.read(buffer, offset, length);
            }
        }

        @Override
        public void close() throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.close();
            }
        }
    }

    private record IsolatedSink(Sink delegate, ClassLoader loader) implements Sink {
        IsolatedSink {
            requireNonNull(delegate, "sink factory returned a null sink");
        }

        @Override
        public Destination open(Resource resource) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return new IsolatedDestination(delegate.open(resource), loader);
            }
        }

        @Override
        public boolean mayHold(String name) {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.mayHold(name);
            }
        }

        @Override
        public void close() {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.close();
            }
        }
    }

    private record IsolatedDestination(Destination delegate, ClassLoader loader) implements Destination {
        IsolatedDestination {
            requireNonNull(delegate, "sink returned a null destination");
        }

        @Override
        public String location() {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.location();
            }
        }

        @Override
        public boolean alreadyComplete() {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.alreadyComplete();
            }
        }

        @Override
        public List<ByteRange> doneRanges() {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                return delegate.doneRanges();
            }
        }

        @Override
        public void write(long offset, ByteBuffer data) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.write(offset, data);
            }
        }

        @Override
        public void markDone(ByteRange range) throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.markDone(range);
            }
        }

        @Override
        public void commit() throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.commit();
            }
        }

        @Override
        public void close() throws IOException {
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                delegate.close();
            }
        }
    }
}
