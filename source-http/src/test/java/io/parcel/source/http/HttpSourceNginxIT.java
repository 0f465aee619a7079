package io.parcel.source.http;

import io.parcel.source.http.testing.NginxFixture;
import io.parcel.source.http.testing.RecordingTransport;
import io.parcel.testsupport.TestPki;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Options;
import io.parcel.spi.Plugin;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Resource;
import io.parcel.spi.Source;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The http source against a real nginx: ranges, empty files, redirects, tokens, changed files and TLS. */
class HttpSourceNginxIT {
    private static final String TOKEN = "nginx-token-4f1d2c";
    private static final int BIG = 3 * 1024 * 1024 + 17;

    @TempDir
    static Path temp;

    private static NginxFixture nginx;
    private static Path caFile;
    private static Path tokenFile;

    private final RecordingTransport transport = new RecordingTransport();

    @BeforeAll
    static void startNginx() throws Exception {
        TestPki authority = TestPki.authority("Parcel nginx CA");
        caFile = authority.writeAuthority(temp.resolve("ca.pem"));
        tokenFile = Files.writeString(temp.resolve("token"), TOKEN + "\n");
        nginx = NginxFixture.start(temp.resolve("nginx"), TOKEN, authority.issue("localhost"));
        Files.write(nginx.html().resolve("files/big.bin"), HttpSourceTest.randomBytes(BIG, 3));
        Files.write(nginx.html().resolve("files/one.bin"), new byte[] {42});
        Files.write(nginx.html().resolve("files/empty.bin"), new byte[0]);
        Files.write(nginx.html().resolve("private/secret.bin"), HttpSourceTest.randomBytes(5000, 4));
    }

    @AfterAll
    static void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
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
    void readsFilesOfSeveralSizesInRanges() throws Exception {
        try (Source source = source(transport, Options.empty())) {
            for (String name : new String[] {"big.bin", "one.bin", "empty.bin"}) {
                byte[] expected = Files.readAllBytes(nginx.html().resolve("files/" + name));
                Resource resource = source.describe(nginx.http("/files/" + name).toString());

                assertEquals(expected.length, resource.size(), name);
                assertEquals(name, resource.name());
                assertTrue(resource.validator().isPresent(), name + " has an ETag");
                assertEquals(sha256(expected), sha256(readInRanges(source, resource, 1 << 20)), name);
            }
        }
    }

    @Test
    void readsOverTheTcpTransportPlugin() throws Exception {
        TransportFactory tcp = ServiceLoader.load(Plugin.class).stream()
                .flatMap(provider -> provider.get().transports().stream())
                .filter(factory -> factory.name().equals("tcp")).findFirst().orElseThrow();
        try (Transport transport = tcp.create(Options.empty(), PluginContext.system());
             Source source = source(transport, Options.empty().with(HttpSourceOptions.CA_FILE, caFile.toString()))) {
            byte[] expected = Files.readAllBytes(nginx.html().resolve("files/big.bin"));
            Resource plain = source.describe(nginx.http("/files/big.bin").toString());
            Resource tls = source.describe(nginx.https("localhost", "/files/big.bin").toString());

            assertEquals(sha256(expected), sha256(readInRanges(source, plain, 700_000)));
            assertEquals(sha256(expected), sha256(readInRanges(source, tls, 700_000)));
        }
    }

    @Test
    void httpsVerifiesTheCertificate() throws Exception {
        try (Source trusting = source(transport, Options.empty().with(HttpSourceOptions.CA_FILE, caFile.toString()));
             Source defaults = source(transport, Options.empty())) {
            Resource resource = trusting.describe(nginx.https("localhost", "/files/one.bin").toString());
            assertArrayEquals(new byte[] {42}, readInRanges(trusting, resource, 1));

            TransferException untrusted = assertThrows(TransferException.class,
                    () -> defaults.describe(nginx.https("localhost", "/files/one.bin").toString()));
            assertFalse(untrusted.retryable());
        }
    }

    @Test
    void followsARelativeRedirect() throws Exception {
        try (Source source = source(transport, Options.empty())) {
            Resource resource = source.describe(nginx.http("/old").toString());

            assertEquals(nginx.http("/files/big.bin"), resource.uri());
            assertEquals(BIG, resource.size());
        }
    }

    @Test
    void theTokenOpensThePrivateLocation() throws Exception {
        String url = nginx.http("/private/secret.bin").toString();
        try (Source anonymous = source(transport, Options.empty());
             Source authorized = source(transport, Options.empty().with(HttpSourceOptions.TOKEN_FILE, tokenFile.toString()))) {
            TransferException refused = assertThrows(TransferException.class, () -> anonymous.describe(url));
            assertEquals("HTTP 403 Forbidden from " + url + " (no token was sent; use --token-file)", refused.getMessage());

            Resource resource = authorized.describe(url);
            assertArrayEquals(Files.readAllBytes(nginx.html().resolve("private/secret.bin")),
                    readInRanges(authorized, resource, 1000));
        }
    }

    @Test
    void missingFilesAndRangesBeyondTheEndAreNotRetried() throws Exception {
        try (Source source = source(transport, Options.empty())) {
            TransferException missing = assertThrows(TransferException.class,
                    () -> source.describe(nginx.http("/files/absent.bin").toString()));
            assertFalse(missing.retryable());
            assertTrue(missing.getMessage().startsWith("HTTP 404 Not Found"), missing.getMessage());

            Resource one = source.describe(nginx.http("/files/one.bin").toString());
            Resource claimedLonger = new Resource(one.locator(), one.uri(), one.name(), 100, one.md5(), true,
                    one.validator());
            TransferException beyond = assertThrows(TransferException.class,
                    () -> source.open(claimedLonger, new ByteRange(50, 60)));
            assertFalse(beyond.retryable());
        }
    }

    @Test
    void aFileChangedAfterDescribeIsRefused() throws Exception {
        Path file = nginx.html().resolve("files/changing.bin");
        Files.write(file, HttpSourceTest.randomBytes(10_000, 5));
        try (Source source = source(transport, Options.empty())) {
            Resource resource = source.describe(nginx.http("/files/changing.bin").toString());
            Files.write(file, HttpSourceTest.randomBytes(10_000, 6));
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));

            TransferException error = assertThrows(TransferException.class,
                    () -> source.open(resource, new ByteRange(100, 200)));
            assertFalse(error.retryable());
            assertTrue(error.getMessage().contains("changed"), error.getMessage());
        }
    }

    private static byte[] readInRanges(Source source, Resource resource, int step) throws IOException {
        byte[] result = new byte[(int) resource.size()];
        for (long start = 0; start < resource.size(); start += step) {
            ByteRange range = new ByteRange(start, Math.min(resource.size(), start + step));
            try (InputStream in = source.open(resource, range)) {
                byte[] part = in.readAllBytes();
                assertEquals(range.length(), part.length, "bytes of " + range);
                System.arraycopy(part, 0, result, (int) start, part.length);
            }
        }
        return result;
    }

    private static Source source(Transport transport, Options options) throws IOException {
        Options withTimeouts = Options.empty().with("connect-timeout", "5s").with("timeout", "10s").withAll(options);
        return new HttpSourceFactory().create(withTimeouts, transport, PluginContext.system());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
