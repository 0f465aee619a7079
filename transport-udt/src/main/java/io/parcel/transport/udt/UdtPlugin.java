package io.parcel.transport.udt;

import io.parcel.spi.Plugin;
import io.parcel.spi.TransportFactory;

import java.util.List;

/** The plugin entry point: contributes the {@code udt} transport. */
public final class UdtPlugin implements Plugin {
    @Override
    public List<TransportFactory> transports() {
        return List.of(new UdtTransportFactory());
    }
}
