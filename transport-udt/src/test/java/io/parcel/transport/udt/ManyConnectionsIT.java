package io.parcel.transport.udt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

/** A thousand open/exchange/close cycles on loopback leave no thread or port behind. */
class ManyConnectionsIT {
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void thousandCyclesLeakNothing() throws Exception {
        SocketLifecycleTest.openAndClose(1_000);
    }
}
