package io.parcel.kernel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parcel.kernel.Download;
import io.parcel.kernel.DownloadItem;
import io.parcel.kernel.DownloadRequest;
import io.parcel.kernel.relay.HostPort;
import io.parcel.kernel.relay.RelayOptions;
import io.parcel.kernel.relay.RelayTransport;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Options;
import io.parcel.spi.Plugin;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Resource;
import io.parcel.spi.Sink;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.Source;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;
import io.parcel.spi.UsageException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A download's transport goes through the relay named by {@code via}, and every transport is closed exactly once. */
class RelayWiringTest {
    private static final String NAME = "probe";

    private final ProbePlugin plugin = new ProbePlugin();
    private DefaultKernel kernel;

    @BeforeEach
    void startKernel() throws Exception {
        kernel = DefaultKernel.start(List.of(new LoadedPlugin(plugin, getClass().getClassLoader(), "test", "test",
                "test plugin")), List.of(), Clock.systemUTC(), PipelineTuning.defaults());
    }

    @AfterEach
    void closeKernel() {
        kernel.close();
    }

    @Test
    void withoutViaTheSourceGetsThePluginsTransport() throws Exception {
        finish(options());
        Transport given = plugin.given.get(0);
        assertEquals(NAME, given.name());
        assertFalse(given instanceof RelayTransport, "no relay without via: " + given);
        assertEquals(1, plugin.closed.get());
    }

    @Test
    void withViaTheSourceGetsARelayTransportThatOwnsThePluginsTransport() throws Exception {
        finish(options(RelayOptions.VIA.name(), "relay.example.org:9000"));
        RelayTransport relayed = assertInstanceOf(RelayTransport.class, plugin.given.get(0));
        assertEquals(HostPort.parse("relay.example.org:9000", "via"), relayed.relay());
        assertEquals(NAME, relayed.name());
        assertEquals(1, plugin.created.get());
        assertEquals(1, plugin.closed.get(), "closing the download closes the relay and with it the inner transport");
    }

    @Test
    void aRelayOptionWithoutViaIsAUsageErrorAndTheTransportIsStillClosed() {
        DownloadRequest request = new DownloadRequest(List.of(DownloadItem.of("x")),
                options(RelayOptions.VIA_PIN.name(), "ab:cd"));
        UsageException error = assertThrows(UsageException.class, () -> kernel.startDownload(request));
        assertTrue(error.getMessage().contains("via"), error.getMessage());
        assertEquals(1, plugin.created.get());
        assertEquals(1, plugin.closed.get(), "the transport made before the relay options were refused leaked");
        assertEquals(List.of(), plugin.given, "no source may be made after a usage error");
    }

    private void finish(Options options) throws Exception {
        try (Download download = kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("x")), options))) {
            assertTrue(download.await(Duration.ofSeconds(20)).isPresent(), "the download did not end");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (plugin.closed.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static Options options(String... pairs) {
        Map<String, String> values = new HashMap<>(Map.of("transport", NAME, "source", NAME,
                "sink", NAME, "retries", "0"));
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return Options.of(values);
    }

    /** A transport that only counts, a source that records the transport it was given and fails every file. */
    private static final class ProbePlugin implements Plugin {
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final List<Transport> given = new CopyOnWriteArrayList<>();
        private final InMemorySink sink = new InMemorySink();

        @Override
        public List<TransportFactory> transports() {
            return List.of(new TransportFactory() {
                @Override
                public String name() {
                    return NAME;
                }

                @Override
                public Transport create(Options options, PluginContext context) {
                    created.incrementAndGet();
                    return new Transport() {
                        @Override
                        public String name() {
                            return NAME;
                        }

                        @Override
                        public Socket connect(InetSocketAddress remote, Duration timeout) throws IOException {
                            throw new IOException("the probe transport has no network");
                        }

                        @Override
                        public ServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
                            throw new IOException("the probe transport has no network");
                        }

                        @Override
                        public void close() {
                            closed.incrementAndGet();
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
                public Source create(Options options, Transport transport, PluginContext context) {
                    given.add(transport);
                    return new Source() {
                        @Override
                        public Resource describe(String locator) throws IOException {
                            throw new TransferException("the probe source has nothing", false);
                        }

                        @Override
                        public InputStream open(Resource resource, ByteRange range) throws IOException {
                            throw new TransferException("the probe source has nothing", false);
                        }

                        @Override
                        public void close() {
                        }
                    };
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
}
