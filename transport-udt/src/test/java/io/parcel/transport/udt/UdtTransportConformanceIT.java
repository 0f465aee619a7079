package io.parcel.transport.udt;

import io.parcel.spi.TransportFactory;
import io.parcel.testsupport.TransportConformanceSuite;

/** The transport contract every Parcel transport keeps, run against {@code udt} on loopback. */
class UdtTransportConformanceIT extends TransportConformanceSuite {
    @Override
    protected TransportFactory factory() {
        return new UdtTransportFactory();
    }
}
