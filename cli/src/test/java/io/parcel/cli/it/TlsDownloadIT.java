package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.NginxServer;

/** HTTPS from nginx with a CA made for the test: trusted only through {@code --ca-file}. */
class TlsDownloadIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long SIZE = 6 * 1024 * 1024 + 5;

    @TempDir
    Path served;
    @TempDir
    Path work;
    private NginxServer nginx;

    @BeforeEach
    void startNginx() throws IOException {
        TestData.writeFile(served.resolve("secure.bin"), 81, SIZE);
        nginx = NginxServer.builder(served).tls().start();
    }

    @AfterEach
    void stopNginx() {
        nginx.close();
    }

    @Test
    void downloadsOverHttpsWhenTheCaIsGiven() throws IOException {
        Path out = work.resolve("out");

        var result = DistProcess.run(work, TIMEOUT, "download", "-d", out.toString(), "-q",
                "--ca-file", nginx.caCertificate().toString(), nginx.url("/secure.bin"));

        assertEquals(0, result.exitCode(), result.describe());
        assertEquals(TestData.sha256Hex(81, SIZE), TestData.sha256Hex(out.resolve("secure.bin")));
        Downloads.assertNoLeftovers(out, "secure.bin");
    }

    @Test
    void refusesAServerItCannotVerify() {
        Path out = work.resolve("out");

        var result = DistProcess.run(work, TIMEOUT, "download", "-d", out.toString(), "-q",
                nginx.url("/secure.bin"));

        assertEquals(1, result.exitCode(), result.describe());
        Downloads.assertNoStackTrace(result);
        assertFalse(Files.exists(out.resolve("secure.bin")));
    }
}
