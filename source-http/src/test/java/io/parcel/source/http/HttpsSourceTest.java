package io.parcel.source.http;

import io.parcel.source.http.testing.FixtureHttpServer;
import io.parcel.source.http.testing.RecordingTransport;
import io.parcel.source.http.testing.ServedFile;
import io.parcel.testsupport.TestPki;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Resource;
import io.parcel.spi.Source;
import io.parcel.spi.TransferException;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpsSourceTest {
    private static final byte[] DATA = HttpSourceTest.randomBytes(100_000, 7);

    @TempDir
    static Path temp;

    private static TestPki authority;
    private static Path caFile;

    private final RecordingTransport transport = new RecordingTransport();

    @BeforeAll
    static void makeAuthority() throws Exception {
        authority = TestPki.authority("Parcel Test CA");
        caFile = authority.writeAuthority(temp.resolve("ca.pem"));
    }

    @AfterEach
    void checkConnections() {
        try {
            assertEquals(0, transport.openConnections(), "every connection the source opened must be closed");
        } finally {
            transport.close();
        }
    }

    @Test
    void downloadsOverTlsWithAnExtraAuthority() throws Exception {
        try (FixtureHttpServer server = FixtureHttpServer.startTls(authority.serverContext("localhost"));
             Source source = source(Options.empty().with(HttpSourceOptions.CA_FILE, caFile.toString()))) {
            server.route("/secure.bin", new ServedFile(DATA));
            Resource resource = source.describe(server.url("/secure.bin").toString());

            assertEquals(DATA.length, resource.size());
            try (InputStream in = source.open(resource, new ByteRange(1000, 61_000))) {
                assertArrayEquals(Arrays.copyOfRange(DATA, 1000, 61_000), in.readAllBytes());
            }
        }
    }

    @Test
    void closingAStreamMidBodyReturnsPromptly() throws Exception {
        byte[] large = HttpSourceTest.randomBytes(16 << 20, 11);
        try (FixtureHttpServer server = FixtureHttpServer.startTls(authority.serverContext("localhost"));
             Source source = source(Options.empty().with(HttpSourceOptions.CA_FILE, caFile.toString()))) {
            server.route("/large.bin", new ServedFile(large));
            Resource resource = source.describe(server.url("/large.bin").toString());
            InputStream in = source.open(resource, new ByteRange(0, large.length));
            assertEquals(large[0], (byte) in.read());

            // The server is blocked writing the rest; closing must not wait for it (nor for its close_notify).
            assertTimeoutPreemptively(Duration.ofSeconds(10), in::close);
        }
    }

    @Test
    void anUnknownAuthorityIsRefused() throws Exception {
        try (FixtureHttpServer server = FixtureHttpServer.startTls(authority.serverContext("localhost"));
             Source source = source(Options.empty())) {
            server.route("/secure.bin", new ServedFile(DATA));

            TransferException error = assertThrows(TransferException.class,
                    () -> source.describe(server.url("/secure.bin").toString()));

            assertFalse(error.retryable());
            assertTrue(error.getMessage().contains("certificate"), error.getMessage());
            assertTrue(server.requests().isEmpty(), "no request may be sent over an untrusted connection");
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        try (FixtureHttpServer server = FixtureHttpServer.startTls(authority.serverContext("wrong.example"));
             Source source = source(Options.empty().with(HttpSourceOptions.CA_FILE, caFile.toString()))) {
            server.route("/secure.bin", new ServedFile(DATA));

            TransferException error = assertThrows(TransferException.class,
                    () -> source.describe(server.url("/secure.bin").toString()));

            assertFalse(error.retryable());
            assertTrue(error.getMessage().contains("No subject alternative DNS name matching localhost"),
                    error.getMessage());
            assertTrue(server.requests().isEmpty(), "no request may be sent to a host that is not the one named");
        }
    }

    @Test
    void aCaFileWithoutCertificatesIsAUsageError() throws IOException {
        Path notPem = Files.writeString(temp.resolve("not.pem"), "hello");
        UsageException error = assertThrows(UsageException.class,
                () -> source(Options.empty().with(HttpSourceOptions.CA_FILE, notPem.toString())));
        assertTrue(error.getMessage().contains(notPem.toString()), error.getMessage());
        assertThrows(UsageException.class,
                () -> source(Options.empty().with(HttpSourceOptions.CA_FILE, temp.resolve("absent.pem").toString())));
    }

    private Source source(Options options) throws IOException {
        Options withTimeouts = Options.empty().with("connect-timeout", "5s").with("timeout", "5s").withAll(options);
        return new HttpSourceFactory().create(withTimeouts, transport, PluginContext.system());
    }
}
