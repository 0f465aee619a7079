package io.parcel.source.http;

import io.parcel.source.http.testing.FixtureHttpServer;
import io.parcel.testsupport.RecordingLogger;
import io.parcel.source.http.testing.RecordingTransport;
import io.parcel.source.http.testing.ServedFile;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Described;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Resource;
import io.parcel.spi.Source;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpSourceTest {
    private static final String TOKEN = "s3cr3t-token-value-0123456789";

    @TempDir
    Path temp;

    private final byte[] data = randomBytes(200_000, 42);
    private FixtureHttpServer server;
    private RecordingTransport transport;

    @BeforeEach
    void setUp() throws IOException {
        server = FixtureHttpServer.start();
        transport = new RecordingTransport();
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            assertEquals(0, transport.openConnections(), "every connection the source opened must be closed");
        } finally {
            transport.close();
            server.close();
        }
    }

    @Test
    void describesARangeCapableFile() throws Exception {
        server.route("/files/sample.bin", new ServedFile(data).etag("\"v1\"")
                .header("Content-MD5", Base64.getEncoder().encodeToString(md5(data))));
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/files/sample.bin").toString());

            assertEquals(data.length, resource.size());
            assertEquals("sample.bin", resource.name());
            assertTrue(resource.rangeSupported());
            assertEquals(Optional.of("\"v1\""), resource.validator());
            assertEquals(Optional.of(HexFormat.of().formatHex(md5(data))), resource.md5());
            assertEquals("bytes=0-0", server.requests().get(0).header("Range"));
            assertTrue(server.requests().get(0).header("User-Agent").startsWith("parcel/"));
        }
    }

    @Test
    void theDescriptionCarriesTheFirstBytesInTheSameRequest() throws Exception {
        server.route("/files/sample.bin", new ServedFile(data).etag("\"v1\""));
        try (Source source = source(Options.empty())) {
            Described described = source.describeAndOpen(server.url("/files/sample.bin").toString(), 5000);

            Resource resource = described.resource();
            assertEquals(data.length, resource.size());
            assertEquals("sample.bin", resource.name());
            assertTrue(resource.rangeSupported());
            assertEquals(Optional.of("\"v1\""), resource.validator());
            try (InputStream first = described.firstBytes().orElseThrow()) {
                assertArrayEquals(java.util.Arrays.copyOf(data, 5000), first.readAllBytes());
            }
            assertEquals(1, server.requests().size());
            assertEquals("bytes=0-4999", server.requests().get(0).header("Range"));
        }
    }

    @Test
    void aFileSmallerThanTheFirstBytesComesWholeWithItsDescription() throws Exception {
        server.route("/f", new ServedFile(data).header("Content-MD5", Base64.getEncoder().encodeToString(md5(data))));
        try (Source source = source(Options.empty())) {
            Described described = source.describeAndOpen(server.url("/f").toString(), 1 << 20);

            assertEquals(data.length, described.resource().size());
            // The response covers the whole file, so its Content-MD5 can only be the file's.
            assertEquals(Optional.of(HexFormat.of().formatHex(md5(data))), described.resource().md5());
            try (InputStream first = described.firstBytes().orElseThrow()) {
                assertArrayEquals(data, first.readAllBytes());
            }
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void theLikelyNameIsTheUrlsLastSegmentAndAsksTheServerNothing() throws Exception {
        Options options = Options.empty().with(HttpSourceOptions.SERVER_URL, server.url("/api/").toString());
        try (Source source = source(options)) {
            assertEquals(Optional.of("sample.bin"), source.likelyName(server.url("/files/sample.bin?x=1").toString()));
            assertEquals(Optional.of("0d1e-77"), source.likelyName("0d1e-77"));
            assertEquals(Optional.empty(), source.likelyName("ftp://example.org/f"));
        }
        assertEquals(0, server.requests().size());
    }

    @Test
    void aContentMd5OnPartOfTheFileFallsBackToThePlainDescribe() throws Exception {
        byte[] firstByte = {data[0]};
        server.route("/f", new ServedFile(data).header("Content-MD5", Base64.getEncoder().encodeToString(md5(firstByte))));
        try (Source source = source(Options.empty())) {
            Described described = source.describeAndOpen(server.url("/f").toString(), 5000);

            assertTrue(described.firstBytes().isEmpty());
            assertEquals(Optional.empty(), described.resource().md5());
            assertEquals(data.length, described.resource().size());
            assertEquals("bytes=0-4999", server.requests().get(0).header("Range"));
            assertEquals("bytes=0-0", server.requests().get(1).header("Range"));

            // The next file from that origin goes straight to the plain describe.
            assertTrue(source.describeAndOpen(server.url("/f").toString(), 5000).firstBytes().isEmpty());
            assertEquals(3, server.requests().size());
            assertEquals("bytes=0-0", server.requests().get(2).header("Range"));
        }
    }

    @Test
    void noFirstBytesComeFromAServerWithoutRangesOrForAnEmptyFile() throws Exception {
        server.route("/plain", new ServedFile(data).withoutRanges());
        server.route("/empty", new ServedFile(new byte[0]));
        try (Source source = source(Options.empty())) {
            Described plain = source.describeAndOpen(server.url("/plain").toString(), 5000);
            assertTrue(plain.firstBytes().isEmpty());
            assertFalse(plain.resource().rangeSupported());
            assertEquals(data.length, plain.resource().size());
            assertEquals(1, server.requests().size());

            Described empty = source.describeAndOpen(server.url("/empty").toString(), 5000);
            assertTrue(empty.firstBytes().isEmpty());
            assertEquals(0, empty.resource().size());
            // The 416 to the range, then one plain GET, as the plain describe does.
            assertEquals(3, server.requests().size());
            assertNull(server.requests().get(2).header("Range"));
        }
    }

    @Test
    void acceptsAHexContentMd5AndLastModifiedAsValidator() throws Exception {
        String hex = HexFormat.of().formatHex(md5(data)).toUpperCase();
        server.route("/f", new ServedFile(data).header("Content-MD5", hex)
                .header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"));
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/f").toString());

            assertEquals(Optional.of(hex.toLowerCase()), resource.md5());
            assertEquals(Optional.of("Wed, 21 Oct 2015 07:28:00 GMT"), resource.validator());
        }
    }

    @Test
    void ignoresAContentMd5ThatOnlyCoversThePartialResponse() throws Exception {
        byte[] firstByte = {data[0]};
        server.route("/f", new ServedFile(data).header("Content-MD5", Base64.getEncoder().encodeToString(md5(firstByte))));
        try (Source source = source(Options.empty())) {
            assertEquals(Optional.empty(), source.describe(server.url("/f").toString()).md5());
        }
    }

    @Test
    void readsRangesThatJoinIntoTheWholeFile() throws Exception {
        server.route("/f", new ServedFile(data).etag("\"abc\""));
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/f").toString());
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            long[] cuts = {0, 1, 65_536, 65_537, 150_000, data.length};
            for (int i = 0; i + 1 < cuts.length; i++) {
                try (InputStream in = source.open(resource, new ByteRange(cuts[i], cuts[i + 1]))) {
                    joined.writeBytes(in.readAllBytes());
                }
            }

            assertArrayEquals(data, joined.toByteArray());
            FixtureHttpServer.Request last = server.requests().get(server.requests().size() - 1);
            assertEquals("bytes=150000-199999", last.header("Range"));
            assertEquals("\"abc\"", last.header("If-Range"));
        }
    }

    @Test
    void aRangeToTheEndOfAnOpenEndedRequestIsReadToTheEnd() throws Exception {
        server.route("/f", new ServedFile(data));
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/f").toString());
            try (InputStream in = source.open(resource, new ByteRange(100, Long.MAX_VALUE))) {
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, data.length), in.readAllBytes());
            }
        }
    }

    @Test
    void aServerWithoutRangesIsReadWholeAndRefusesPartialRanges() throws Exception {
        server.route("/plain", new ServedFile(data).withoutRanges());
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/plain").toString());

            assertFalse(resource.rangeSupported());
            assertEquals(data.length, resource.size());
            try (InputStream in = source.open(resource, new ByteRange(0, data.length))) {
                assertArrayEquals(data, in.readAllBytes());
            }
            assertNull(server.requests().get(server.requests().size() - 1).header("Range"));
            TransferException partial = assertThrows(TransferException.class,
                    () -> source.open(resource, new ByteRange(10, 20)));
            assertFalse(partial.retryable());
        }
    }

    @Test
    void aServerThatIgnoresRangeOnOpenIsRefused() throws Exception {
        server.route("/f", new ServedFile(data).withoutRanges());
        try (Source source = source(Options.empty())) {
            Resource described = source.describe(server.url("/f").toString());
            Resource claimed = new Resource(described.locator(), described.uri(), described.name(), described.size(),
                    Optional.empty(), true, Optional.empty());

            TransferException error = assertThrows(TransferException.class,
                    () -> source.open(claimed, new ByteRange(5, 10)));

            assertTrue(error.getMessage().contains("server ignored Range"), error.getMessage());
            assertFalse(error.retryable());
        }
    }

    @Test
    void changedContentIsRefusedThroughIfRange() throws Exception {
        ServedFile file = new ServedFile(data).etag("\"v1\"");
        server.route("/f", file);
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/f").toString());
            file.etag("\"v2\"");

            TransferException error = assertThrows(TransferException.class,
                    () -> source.open(resource, new ByteRange(0, 100)));

            assertTrue(error.getMessage().contains("changed"), error.getMessage());
            assertFalse(error.retryable());
        }
    }

    @Test
    void followsAbsoluteAndRelativeRedirects() throws Exception {
        server.route("/start", (request, reply) ->
                reply.status(302, "Found").header("Location", server.url("/middle").toString()).body(new byte[0]));
        server.route("/middle", (request, reply) ->
                reply.status(307, "Temporary Redirect").header("Location", "../store/final.dat").body(new byte[0]));
        server.route("/store/final.dat", new ServedFile(data));
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/start").toString());

            assertEquals(server.url("/store/final.dat"), resource.uri());
            assertEquals("start", resource.name(), "the name comes from the URL the user gave");
            try (InputStream in = source.open(resource, new ByteRange(0, 1000))) {
                assertArrayEquals(java.util.Arrays.copyOf(data, 1000), in.readAllBytes());
            }
        }
    }

    @Test
    void stopsAfterTooManyRedirects() throws Exception {
        server.route("/loop", (request, reply) ->
                reply.status(301, "Moved Permanently").header("Location", "/loop").body(new byte[0]));
        try (Source source = source(Options.empty().with(HttpSourceOptions.MAX_REDIRECTS, "3"))) {
            TransferException error = assertThrows(TransferException.class,
                    () -> source.describe(server.url("/loop").toString()));

            assertFalse(error.retryable());
            assertTrue(error.getMessage().contains("more than 3 redirects"), error.getMessage());
            assertEquals(4, server.requests().size());
        }
    }

    @Test
    void namesComeFromContentDispositionVariants() throws Exception {
        server.route("/quoted", new ServedFile(data).header("Content-Disposition", "attachment; filename=\"my report.txt\""));
        server.route("/bare", new ServedFile(data).header("Content-Disposition", "attachment; filename=data.tar.gz"));
        server.route("/utf8", new ServedFile(data).header("Content-Disposition",
                "attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt"));
        server.route("/path", new ServedFile(data).header("Content-Disposition", "attachment; filename=\"../../etc/passwd\""));
        try (Source source = source(Options.empty())) {
            assertEquals("my report.txt", source.describe(server.url("/quoted").toString()).name());
            assertEquals("data.tar.gz", source.describe(server.url("/bare").toString()).name());
            assertEquals("\u20ac rates.txt", source.describe(server.url("/utf8").toString()).name());
            assertEquals("passwd", source.describe(server.url("/path").toString()).name());
        }
    }

    @Test
    void aFileIdBecomesADataUrlUnderTheServerUrl() throws Exception {
        server.route("/api/data/0d5d5c56-1f7e-4bd1-9a5a-5b8a5b1c9c11", new ServedFile(data));
        Options options = Options.empty().with(HttpSourceOptions.SERVER_URL, server.url("/api/").toString());
        try (Source source = source(options)) {
            Resource resource = source.describe("0d5d5c56-1f7e-4bd1-9a5a-5b8a5b1c9c11");

            assertEquals("0d5d5c56-1f7e-4bd1-9a5a-5b8a5b1c9c11", resource.name());
            assertEquals("0d5d5c56-1f7e-4bd1-9a5a-5b8a5b1c9c11", resource.locator());
            assertEquals(data.length, resource.size());
        }
    }

    @Test
    void aFileIdWithoutServerUrlIsAUsageError() throws Exception {
        try (Source source = source(Options.empty())) {
            UsageException error = assertThrows(UsageException.class, () -> source.describe("some-file-id"));
            assertTrue(error.getMessage().contains("server URL"), error.getMessage());
            assertThrows(UsageException.class, () -> source.describe("ftp://example.org/x"));
        }
        assertEquals(0, transport.connections());
    }

    @Test
    void sendsTheTokenAndNeverShowsIt() throws Exception {
        Path tokenFile = Files.writeString(temp.resolve("token.txt"), "\n  " + TOKEN + "  \n");
        server.route("/secret", (request, reply) -> reply.status(403, "Forbidden").body(new byte[0]));
        server.route("/open", new ServedFile(data));
        try (Source source = source(Options.empty().with(HttpSourceOptions.TOKEN_FILE, tokenFile.toString()))) {
            source.describe(server.url("/open").toString());
            TransferException error = assertThrows(TransferException.class,
                    () -> source.describe(server.url("/secret").toString()));

            assertEquals(TOKEN, server.requests().get(0).header("X-Auth-Token"));
            assertEquals("HTTP 403 Forbidden from " + server.url("/secret") + " (check the token file)", error.getMessage());
            assertFalse(error.retryable());
            assertFalse(source.toString().contains(TOKEN), source.toString());
        }
    }

    @Test
    void debugLogsShowRequestsButNoCredentials() throws Exception {
        Path tokenFile = Files.writeString(temp.resolve("token"), TOKEN);
        server.route("/f", new ServedFile(data));
        RecordingLogger logger = new RecordingLogger();
        PluginContext context = new PluginContext() {
            @Override
            public Clock clock() {
                return Clock.systemUTC();
            }

            @Override
            public System.Logger logger(Class<?> owner) {
                return logger;
            }
        };
        Options options = Options.empty().with("timeout", "5s").with(HttpSourceOptions.TOKEN_FILE, tokenFile.toString())
                .with(HttpSourceOptions.HEADER, "Authorization: Bearer hidden-bearer-value");
        try (Source source = new HttpSourceFactory().create(options, transport, context)) {
            Resource resource = source.describe(server.url("/f").toString());
            source.open(resource, new ByteRange(0, 10)).close();
        }

        assertTrue(logger.lines().stream().anyMatch(line -> line.startsWith("DEBUG GET " + server.url("/f"))),
                logger.lines().toString());
        for (String line : logger.lines()) {
            assertFalse(line.contains(TOKEN) || line.contains("hidden-bearer-value"), line);
        }
        assertEquals("Bearer hidden-bearer-value", server.requests().get(0).header("Authorization"));
    }

    @Test
    void theTokenIsNotSentToAnotherOriginAfterARedirect() throws Exception {
        Path tokenFile = Files.writeString(temp.resolve("token"), TOKEN);
        try (FixtureHttpServer other = FixtureHttpServer.start()) {
            other.route("/elsewhere", new ServedFile(data));
            server.route("/start", (request, reply) -> reply.status(302, "Found")
                    .header("Location", other.url("/elsewhere").toString()).body(new byte[0]));
            Options options = Options.empty().with(HttpSourceOptions.TOKEN_FILE, tokenFile.toString())
                    .with(HttpSourceOptions.HEADER, "Authorization: Bearer abc\nX-Team: parcel");
            try (Source source = source(options)) {
                Resource resource = source.describe(server.url("/start").toString());
                source.open(resource, new ByteRange(0, 10)).close();
            }

            assertEquals(TOKEN, server.requests().get(0).header("X-Auth-Token"));
            assertEquals("Bearer abc", server.requests().get(0).header("Authorization"));
            for (FixtureHttpServer.Request request : other.requests()) {
                assertNull(request.header("X-Auth-Token"));
                assertNull(request.header("Authorization"));
                assertEquals("parcel", request.header("X-Team"));
            }
        }
    }

    @Test
    void badTokenFilesAreUsageErrorsNamingThePath() throws IOException {
        Path missing = temp.resolve("missing-token");
        Path empty = Files.writeString(temp.resolve("empty-token"), "  \n");
        Path twoLines = Files.writeString(temp.resolve("two-lines"), TOKEN + "\nsecond");
        for (Path file : new Path[] {missing, empty, twoLines}) {
            UsageException error = assertThrows(UsageException.class,
                    () -> source(Options.empty().with(HttpSourceOptions.TOKEN_FILE, file.toString())));
            assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
            assertFalse(error.getMessage().contains(TOKEN), error.getMessage());
        }
    }

    @Test
    void extraHeadersAreSentAndMalformedOnesRefused() throws Exception {
        server.route("/f", new ServedFile(data));
        try (Source source = source(Options.empty().with(HttpSourceOptions.HEADER, "X-One: 1\nX-Two:  two words \n"))) {
            source.describe(server.url("/f").toString());
        }
        assertEquals("1", server.requests().get(0).header("X-One"));
        assertEquals("two words", server.requests().get(0).header("X-Two"));
        assertThrows(UsageException.class, () -> source(Options.empty().with(HttpSourceOptions.HEADER, "no colon here")));
        assertThrows(UsageException.class, () -> source(Options.empty().with(HttpSourceOptions.HEADER, "Bad Name: x")));
        assertThrows(UsageException.class, () -> source(Options.empty().with(HttpSourceOptions.HEADER, "Range: bytes=0-")));
    }

    @ParameterizedTest
    @CsvSource({"401, Unauthorized, false", "403, Forbidden, false", "404, Not Found, false", "410, Gone, false",
            "416, Range Not Satisfiable, false", "408, Request Timeout, true", "429, Too Many Requests, true",
            "500, Internal Server Error, true", "503, Service Unavailable, true"})
    void mapsStatusCodes(int status, String reason, boolean retryable) throws Exception {
        server.route("/f", (request, reply) -> reply.status(status, reason).body(new byte[0]));
        try (Source source = source(Options.empty())) {
            TransferException error = assertThrows(TransferException.class,
                    () -> source.describe(server.url("/f").toString()));

            assertEquals(retryable, error.retryable());
            assertTrue(error.getMessage().startsWith("HTTP " + status + " " + reason + " from " + server.url("/f")),
                    error.getMessage());
        }
    }

    @Test
    void aRangeNotSatisfiableOnOpenIsNotRetryable() throws Exception {
        server.route("/f", new ServedFile(data));
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/f").toString());
            Resource longer = new Resource(resource.locator(), resource.uri(), resource.name(), data.length + 100L,
                    Optional.empty(), true, Optional.empty());

            TransferException error = assertThrows(TransferException.class,
                    () -> source.open(longer, new ByteRange(data.length + 10L, data.length + 20L)));

            assertFalse(error.retryable());
            assertTrue(error.getMessage().contains("HTTP 416"), error.getMessage());
        }
    }

    @Test
    void aConnectionThatEndsEarlyFailsRetryably() throws Exception {
        server.route("/f", new ServedFile(data).cutAfter(5000));
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/f").toString());
            try (InputStream in = source.open(resource, new ByteRange(0, 50_000))) {
                byte[] buffer = new byte[100_000];
                int total = 0;
                TransferException error = null;
                try {
                    for (int n; (n = in.read(buffer, total, buffer.length - total)) > 0; ) {
                        total += n;
                    }
                } catch (TransferException e) {
                    error = e;
                }

                assertTrue(error != null, "the stream must throw, not end, after " + total + " bytes");
                assertEquals(5000, total);
                assertTrue(error.retryable());
                assertInstanceOf(EOFException.class, rootCause(error));
            }
        }
    }

    @Test
    void aChunkedBodyOfUnknownSizeIsDecoded() throws Exception {
        server.route("/chunked", new ServedFile(data).chunked());
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/chunked").toString());

            assertEquals(Resource.UNKNOWN_SIZE, resource.size());
            assertFalse(resource.rangeSupported());
            try (InputStream in = source.open(resource, new ByteRange(0, Long.MAX_VALUE))) {
                assertArrayEquals(data, in.readAllBytes());
            }
        }
    }

    @Test
    void anEmptyFileIsDescribedAsZeroBytes() throws Exception {
        server.route("/empty", new ServedFile(new byte[0]).etag("\"e\""));
        try (Source source = source(Options.empty())) {
            Resource resource = source.describe(server.url("/empty").toString());

            assertEquals(0, resource.size());
            assertEquals("empty", resource.name());
            assertEquals(0, source.open(resource, new ByteRange(0, 0)).readAllBytes().length);
        }
    }

    @Test
    void aStalledServerTimesOutInsteadOfHanging() throws Exception {
        server.route("/slow", new ServedFile(data).stallAfter(1000));
        Options options = Options.empty().with("timeout", "300ms");
        try (Source source = source(options)) {
            Resource resource = source.describe(server.url("/slow").toString());
            TransferException error = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                try (InputStream in = source.open(resource, new ByteRange(0, data.length))) {
                    return assertThrows(TransferException.class, in::readAllBytes);
                }
            });

            assertTrue(error.retryable());
            assertInstanceOf(SocketTimeoutException.class, rootCause(error));
        }
    }

    @Test
    void aRefusedConnectionIsRetryable() throws Exception {
        int port;
        try (FixtureHttpServer gone = FixtureHttpServer.start()) {
            port = gone.port();
        }
        try (Source source = source(Options.empty())) {
            TransferException error = assertThrows(TransferException.class,
                    () -> source.describe("http://127.0.0.1:" + port + "/f"));
            assertTrue(error.retryable());
        }
    }

    @Test
    void anUnknownHostFailsAtOnceWithoutARetry() throws Exception {
        try (Source source = source(Options.empty())) {
            TransferException error = assertThrows(TransferException.class,
                    () -> source.describe("http://no-such-host.invalid:8080/f"));
            assertFalse(error.retryable());
            assertTrue(error.getMessage().startsWith("cannot resolve host name for no-such-host.invalid:8080"),
                    error.getMessage());
        }
    }

    @Test
    void theTransportsOwnFailureKeepsItsMeaning() throws Exception {
        // A relay's refusal arrives as a non-retryable TransferException: it must not become a retryable one.
        TransferException refusal = new TransferException("relay 127.0.0.1:9 refused example.org:80", false);
        Transport refusing = new Transport() {
            @Override
            public String name() {
                return "refusing";
            }

            @Override
            public Socket connect(InetSocketAddress remote, Duration timeout) throws IOException {
                assertTrue(remote.isUnresolved(), "the source passes the name as given: " + remote);
                assertEquals("example.org", remote.getHostString());
                throw refusal;
            }

            @Override
            public ServerSocket listen(InetSocketAddress local, int backlog) {
                throw new UnsupportedOperationException("not needed here");
            }

            @Override
            public void close() {
            }
        };
        try (Source source = new HttpSourceFactory().create(Options.empty(), refusing, PluginContext.system())) {
            TransferException error = assertThrows(TransferException.class,
                    () -> source.describe("http://example.org/f"));
            assertFalse(error.retryable());
            assertTrue(error.getMessage().contains("refused example.org:80"), error.getMessage());
        }
    }

    @Test
    void aZeroTimeoutIsRefused() {
        assertThrows(UsageException.class, () -> source(Options.empty().with("timeout", "0")));
    }

    private Source source(Options options) throws IOException {
        Options withTimeouts = Options.empty().with("connect-timeout", "5s").with("timeout", "5s").withAll(options);
        return new HttpSourceFactory().create(withTimeouts, transport, PluginContext.system());
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] md5(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("MD5").digest(bytes);
    }

    static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
