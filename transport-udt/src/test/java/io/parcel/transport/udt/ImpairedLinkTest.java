package io.parcel.transport.udt;

import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Real UDT sockets through a seeded lossy, duplicating, reordering relay: every byte must arrive intact. The
 * native rows move less: 4.11's DAIMD cuts its rate on every loss report and crawls under random loss.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ImpairedLinkTest {
    private Transport transport;
    private ExecutorService executor;

    @BeforeEach
    void setUp() throws Exception {
        transport = new UdtTransportFactory().create(Options.empty().with("timeout", "30s"), PluginContext.system());
        executor = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        transport.close();
    }

    @ParameterizedTest(name = "seed {0}, loss {1}, duplicate {2}, reorder {3}, {4} KiB, udt.cc={5}")
    @CsvSource({
        "1, 0.0, 0.0, 0.0, 4096, native",
        "2, 0.01, 0.01, 0.01, 1024, native",
        "3, 0.05, 0.02, 0.05, 256, native",
        "4, 0.05, 0.02, 0.05, 256, native",
        "5, 0.10, 0.05, 0.10, 128, native",
        "6, 0.20, 0.05, 0.05, 64, native",
        "7, 0.0, 0.0, 0.0, 4096, bbr",
        "8, 0.05, 0.02, 0.05, 2048, bbr",
        "9, 0.10, 0.05, 0.10, 1024, bbr",
        "10, 0.20, 0.05, 0.05, 512, bbr",
    })
    void carriesBothDirectionsByteExact(long seed, double loss, double duplicate, double reorder, int kibibytes,
            String congestionControl) throws Exception {
        transport.close();
        transport = new UdtTransportFactory().create(Options.empty().with("timeout", "30s")
                .with(UdtOptions.CONGESTION_CONTROL, congestionControl), PluginContext.system());
        byte[] up = new byte[kibibytes * 1024];
        byte[] down = new byte[kibibytes * 256];
        Random random = new Random(seed);
        random.nextBytes(up);
        random.nextBytes(down);
        try (ServerSocket server = transport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
                ImpairingRelay relay = new ImpairingRelay(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
                        seed, loss, duplicate, reorder)) {
            Future<byte[]> serverSide = executor.submit(() -> {
                try (Socket accepted = server.accept()) {
                    Future<?> sending = executor.submit(() -> {
                        accepted.getOutputStream().write(down);
                        accepted.shutdownOutput();
                        return null;
                    });
                    byte[] digest = UdtSocketTest.sha256(accepted.getInputStream());
                    sending.get(60, TimeUnit.SECONDS);
                    return digest;
                }
            });
            try (Socket client = transport.connect(relay.address(), Duration.ofSeconds(15))) {
                Future<byte[]> downstream = executor.submit(() -> UdtSocketTest.sha256(client.getInputStream()));
                OutputStream out = client.getOutputStream();
                for (int at = 0; at < up.length; at += 50_000) {
                    out.write(up, at, Math.min(50_000, up.length - at));
                }
                client.shutdownOutput();
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(up),
                        serverSide.get(60, TimeUnit.SECONDS), "client to server");
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(down),
                        downstream.get(60, TimeUnit.SECONDS), "server to client");
            }
        }
    }
}
