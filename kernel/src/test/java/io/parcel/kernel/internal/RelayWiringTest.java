package io.parcel.kernel.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parcel.kernel.Download;
import io.parcel.kernel.DownloadItem;
import io.parcel.kernel.DownloadRequest;
import io.parcel.kernel.relay.HostPort;
import io.parcel.kernel.relay.RelayOptions;
import io.parcel.kernel.relay.RelayTransport;

import io.parcel.spi.Options;

import io.parcel.spi.Transport;

import io.parcel.spi.UsageException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A download's transport goes through the relay named by {@code via}, and every transport is closed exactly once. */
class RelayWiringTest {
    private static final String NAME = InMemoryPlugin.NAME;

    // The source serves nothing, so every file fails at once: these tests are about the transport alone.
    private final InMemoryPlugin plugin = new InMemoryPlugin(new InMemorySource(), new InMemorySink());
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
        Transport given = plugin.transportsGiven.get(0);
        assertEquals(NAME, given.name());
        assertFalse(given instanceof RelayTransport, "no relay without via: " + given);
        assertEquals(1, plugin.transportsClosed.get());
    }

    @Test
    void withViaTheSourceGetsARelayTransportThatOwnsThePluginsTransport() throws Exception {
        finish(options(RelayOptions.VIA.name(), "relay.example.org:9000"));
        RelayTransport relayed = assertInstanceOf(RelayTransport.class, plugin.transportsGiven.get(0));
        assertEquals(HostPort.parse("relay.example.org:9000", "via"), relayed.relay());
        assertEquals(NAME, relayed.name());
        assertEquals(1, plugin.transportsCreated.get());
        assertEquals(1, plugin.transportsClosed.get(), "closing the download closes the relay and with it the inner transport");
    }

    @Test
    void aRelayOptionWithoutViaIsAUsageErrorAndTheTransportIsStillClosed() {
        DownloadRequest request = new DownloadRequest(List.of(DownloadItem.of("x")),
                options(RelayOptions.VIA_PIN.name(), "ab:cd"));
        UsageException error = assertThrows(UsageException.class, () -> kernel.startDownload(request));
        assertTrue(error.getMessage().contains("via"), error.getMessage());
        assertEquals(1, plugin.transportsCreated.get());
        assertEquals(1, plugin.transportsClosed.get(), "the transport made before the relay options were refused leaked");
        assertEquals(List.of(), plugin.transportsGiven, "no source may be made after a usage error");
    }

    private void finish(Options options) throws Exception {
        try (Download download = kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("x")), options))) {
            assertTrue(download.await(Duration.ofSeconds(20)).isPresent(), "the download did not end");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (plugin.transportsClosed.get() == 0 && System.nanoTime() < deadline) {
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
}
