package io.parcel.cli.relay;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.RangeHttpServer;
import io.parcel.testsupport.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged distribution end to end over UDT on loopback: {@code bin/parcel-server} (the original name of
 * {@code parcel serve}) relays {@code parcel download --transport udt --via} to an in-test HTTP server, and refuses an
 * upstream outside its allow list at once; without {@code --via}, a UDT download still reaches a host by name (here
 * an HTTP server behind {@code bin/parcel-udt2tcp}).
 */
class ServeViaUdtIT {
    private static final long SIZE = (6L << 20) + 12_345;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    private RangeHttpServer allowed;
    private RangeHttpServer forbidden;
    private DistProcess serve;
    private int relayPort;

    @BeforeEach
    void startUpstreamsAndRelay() throws Exception {
        allowed = RangeHttpServer.builder().generated("/data.bin", 7, SIZE).contentMd5(true).start();
        forbidden = RangeHttpServer.builder().generated("/other.bin", 8, 1000).start();
        serve = DistProcess.start(directory, "parcel-server", "--transport", "udt", "--listen", "127.0.0.1:0",
                "--upstream", allowed.baseUri().toString(), "--status-interval", "0",
                "--log-file", directory.resolve("serve.log").toString());
        relayPort = serve.awaitListeningPort();
    }

    @AfterEach
    void stopAll() throws Exception {
        try {
            if (serve != null) {
                // SIGTERM: serve closes its connections and prints the totals.
                serve.terminate(Duration.ofSeconds(20));
                assertTrue(serve.errors().contains("parcel serve: stopped after"), serve.errors());
            }
        } finally {
            if (serve != null) {
                serve.kill();
            }
            allowed.close();
            forbidden.close();
        }
    }

    @Test
    void downloadsThroughTheRelayOverUdtByteForByte() throws Exception {
        Path target = Files.createDirectories(directory.resolve("via"));
        DistProcess.Result download = run("download", "--transport", "udt", "--via", "127.0.0.1:" + relayPort, "-n", "4",
                "--segment-size", "1M", "--progress", "plain", "-d", target.toString(), allowed.url("/data.bin"));
        assertEquals(0, download.exitCode(), download.describe());
        Path file = target.resolve("data.bin");
        assertEquals(SIZE, Files.size(file), download.describe());
        assertEquals(RangeHttpServer.Content.generated(7, SIZE).sha256Hex(), sha256(file));
        assertTrue(allowed.rangeRequestCount() >= 2, "the download used parallel ranges through the relay: "
                + allowed.rangeRequestCount());
    }

    @Test
    void anUpstreamOutsideTheAllowListIsRefusedWithoutRetries() throws Exception {
        Path target = Files.createDirectories(directory.resolve("refused"));
        DistProcess.Result download = run("download", "--transport", "udt", "--via", "127.0.0.1:" + relayPort, "--retries", "5",
                "--progress", "plain", "-d", target.toString(), forbidden.url("/other.bin"));
        assertEquals(1, download.exitCode(), download.describe());
        assertTrue(download.stderr().contains("not in the allow list"), download.describe());
        assertEquals(0, forbidden.requestCount(), "the relay must not have connected to the forbidden upstream");
        assertTrue(Files.notExists(target.resolve("other.bin")));
    }

    @Test
    void withoutViaAUdtDownloadResolvesTheHostNameItself() throws Exception {
        DistProcess tunnel = DistProcess.start(directory, "parcel-udt2tcp", "--listen", "127.0.0.1:0",
                "--to", "127.0.0.1:" + allowed.port(), "--status-interval", "0");
        try {
            int tunnelPort = tunnel.awaitListeningPort();
            Path target = Files.createDirectories(directory.resolve("direct"));
            DistProcess.Result download = run("download", "--transport", "udt", "-n", "2", "--progress", "plain",
                    "-d", target.toString(), "http://localhost:" + tunnelPort + "/data.bin");
            assertEquals(0, download.exitCode(), download.describe());
            assertEquals(RangeHttpServer.Content.generated(7, SIZE).sha256Hex(), sha256(target.resolve("data.bin")));
        } finally {
            tunnel.kill();
        }
    }

    private DistProcess.Result run(String... arguments) {
        return DistProcess.run(directory, RUN_TIMEOUT, arguments);
    }

    private static String sha256(Path file) throws IOException {
        Sha256 digest = new Sha256();
        try (InputStream in = Files.newInputStream(file)) {
            digest.updateFrom(in);
        }
        return digest.hex();
    }
}
