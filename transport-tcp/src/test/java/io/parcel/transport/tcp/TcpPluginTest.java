package io.parcel.transport.tcp;

import io.parcel.spi.CommonOptions;
import io.parcel.spi.Options;
import io.parcel.spi.Plugin;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpPluginTest {
    @Test
    void isFoundByServiceLoaderAndOffersTheTcpTransport() {
        List<Plugin> plugins = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get).toList();
        List<TcpPlugin> tcp = plugins.stream().filter(TcpPlugin.class::isInstance).map(TcpPlugin.class::cast).toList();
        assertEquals(1, tcp.size(), "plugins found: " + plugins);
        List<TransportFactory> transports = tcp.get(0).transports();
        assertEquals(List.of("tcp"), transports.stream().map(TransportFactory::name).toList());
        TransportFactory factory = transports.get(0);
        assertTrue(factory.isAvailable());
        assertTrue(factory.unavailabilityCause().isEmpty());
        assertEquals(List.of(CommonOptions.CONNECT_TIMEOUT, CommonOptions.IO_TIMEOUT, TcpOptions.SEND_BUFFER,
                TcpOptions.RECEIVE_BUFFER), factory.options());
        assertEquals(List.of("tcp.send-buffer", "tcp.receive-buffer"),
                List.of(TcpOptions.SEND_BUFFER.name(), TcpOptions.RECEIVE_BUFFER.name()));
        assertTrue(plugins.stream().noneMatch(plugin -> plugin.sources().size() + plugin.sinks().size() > 0
                && plugin instanceof TcpPlugin));
    }

    @Test
    void createsATransportNamedTcp() throws Exception {
        try (Transport transport = new TcpTransportFactory().create(Options.empty(), PluginContext.system())) {
            assertEquals("tcp", transport.name());
        }
    }

    @Test
    void rejectsInvalidOptionsNamingThem() {
        TcpTransportFactory factory = new TcpTransportFactory();
        UsageException notANumber = assertThrows(UsageException.class, () -> factory.create(
                Options.empty().with(TcpOptions.SEND_BUFFER, "lots"), PluginContext.system()));
        assertTrue(notANumber.getMessage().contains("tcp.send-buffer"), notANumber.getMessage());
        UsageException tooLarge = assertThrows(UsageException.class, () -> factory.create(
                Options.empty().with(TcpOptions.RECEIVE_BUFFER, "4G"), PluginContext.system()));
        assertTrue(tooLarge.getMessage().contains("tcp.receive-buffer"), tooLarge.getMessage());
        UsageException badTimeout = assertThrows(UsageException.class, () -> factory.create(
                Options.empty().with(CommonOptions.IO_TIMEOUT, "soon"), PluginContext.system()));
        assertTrue(badTimeout.getMessage().contains("timeout"), badTimeout.getMessage());
    }
}
