package io.parcel.transport.udt;

import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;

import java.io.IOException;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** Makes {@code udt} transports: pure-Java UDT4, wire-compatible with the reference library (UDT 4.11). */
public final class UdtTransportFactory implements TransportFactory {
    public static final String NAME = "udt";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "UDT4 over UDP (pure Java, interoperates with libudt 4.11)";
    }

    @Override
    public List<OptionKey<?>> options() {
        return UdtOptions.all();
    }

    @Override
    public Transport create(Options options, PluginContext context) throws IOException {
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        return new UdtTransport(UdtOptions.settings(options), options.get(UdtOptions.RENDEZVOUS),
                UdtOptions.bindAddress(options));
    }
}
