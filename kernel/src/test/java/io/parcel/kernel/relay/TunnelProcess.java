package io.parcel.kernel.relay;

import io.parcel.testsupport.RecordingLogger;
import io.parcel.spi.Transport;

import java.io.IOException;
import java.time.Duration;

/**
 * One tunnel half in a process of its own, so a test can kill it with SIGKILL. Arguments: {@code entry|exit TO_PORT};
 * prints {@code PORT <n>} once listening; exits by itself after {@link #LIFETIME} so a failed test leaks nothing.
 */
public final class TunnelProcess {
    static final Duration LIFETIME = Duration.ofSeconds(60);

    private TunnelProcess() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        HostPort to = new HostPort("127.0.0.1", Integer.parseInt(args[1]));
        PumpSettings settings = PumpSettings.defaults().withConnectTimeout(Duration.ofSeconds(5));
        RecordingLogger logger = new RecordingLogger();
        try (Transport transport = Fixtures.tcp();
             TunnelServer server = args[0].equals("entry")
                     ? TunnelServer.tcpToTransport(Fixtures.anyLoopbackPort(), transport, to, 64, settings, logger)
                     : TunnelServer.transportToTcp(transport, Fixtures.anyLoopbackPort(), to, 64, settings, logger)) {
            System.out.println("PORT " + server.localAddress().getPort());
            System.out.flush();
            Thread.sleep(LIFETIME);
        }
    }
}
