package io.parcel.transport.tcp;

import io.parcel.spi.Plugin;
import io.parcel.spi.TransportFactory;

import java.util.List;

/** The {@code tcp} transport: the JDK's TCP sockets with Parcel's timeouts and buffer options. */
public final class TcpPlugin implements Plugin {
    @Override
    public List<TransportFactory> transports() {
        return List.of(new TcpTransportFactory());
    }
}
