package io.parcel.transport.tcp;

import io.parcel.spi.TransportFactory;
import io.parcel.testsupport.BlackHole;
import io.parcel.testsupport.TransportConformanceSuite;

import java.io.IOException;

class TcpTransportConformanceTest extends TransportConformanceSuite {
    @Override
    protected TransportFactory factory() {
        return new TcpTransportFactory();
    }

    @Override
    protected BlackHole blackHole() throws IOException {
        return BlackHole.tcpFullBacklog(loopback());
    }
}
