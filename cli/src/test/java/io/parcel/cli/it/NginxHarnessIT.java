package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.NginxServer;

/**
 * The nginx harness itself, checked with the JDK's HTTP client: when a download test fails, this says whether the
 * server behaved as the test assumed.
 */
class NginxHarnessIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path served;

    @Test
    void servesRangesTokensAndGdcDataLocations() throws IOException, InterruptedException {
        Path data = TestData.writeFile(served.resolve("data.bin"), 71, 1000);
        try (NginxServer nginx = NginxServer.builder(served).requireToken("t0ken")
                .dataFile("abc-123", data, "named.bin", NginxServer.md5Base64(data)).start()) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

            assertEquals(401, get(client, nginx.url("/data.bin"), null, null).statusCode());
            assertEquals(403, get(client, nginx.url("/data.bin"), "wrong", null).statusCode());
            HttpResponse<byte[]> range = get(client, nginx.dataUrl("abc-123"), "t0ken", "bytes=10-19");
            assertEquals(206, range.statusCode());
            assertEquals("bytes 10-19/1000", range.headers().firstValue("Content-Range").orElseThrow());
            assertEquals("attachment; filename=\"named.bin\"",
                    range.headers().firstValue("Content-Disposition").orElseThrow());
            assertEquals(TestData.md5Base64(71, 1000), range.headers().firstValue("Content-MD5").orElseThrow());
            assertEquals(404, get(client, nginx.dataUrl("unknown"), "t0ken", null).statusCode());

            long logged = nginx.accessLog().stream().filter(entry -> entry.status() == 206).count();
            assertEquals(1, logged, "access log: " + nginx.accessLog());
            assertEquals(10, nginx.bodyBytesSent("/data/abc-123"));
        }
    }

    @Test
    void withoutRangesEveryAnswerIsTheWholeBody() throws IOException, InterruptedException {
        TestData.writeFile(served.resolve("whole.bin"), 72, 5000);
        try (NginxServer nginx = NginxServer.builder(served).noRanges().start()) {
            HttpResponse<byte[]> response = get(HttpClient.newHttpClient(), nginx.url("/whole.bin"), null, "bytes=0-9");

            assertEquals(200, response.statusCode());
            assertEquals(5000, response.body().length);
        }
    }

    @Test
    void tlsIsTrustedThroughTheTestCaOnly() throws IOException, InterruptedException, GeneralSecurityException {
        TestData.writeFile(served.resolve("secret.bin"), 73, 4096);
        try (NginxServer nginx = NginxServer.builder(served).tls().start()) {
            assertTrue(nginx.baseUrl().startsWith("https://localhost:"));
            assertTrue(Files.readString(nginx.caCertificate()).contains("BEGIN CERTIFICATE"));
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(nginx.trustStore()))
                    .connectTimeout(TIMEOUT).build();

            HttpResponse<byte[]> response = get(trusting, nginx.url("/secret.bin"), null, null);

            assertEquals(200, response.statusCode());
            assertEquals(TestData.sha256Hex(73, 4096), TestData.sha256Hex(response.body()));
            boolean refused;
            try {
                get(HttpClient.newBuilder().connectTimeout(TIMEOUT).build(), nginx.url("/secret.bin"), null, null);
                refused = false;
            }
            catch (IOException e) {
                refused = true;
            }
            assertTrue(refused, "a client without the test CA trusted the server");
        }
    }

    @Test
    void closeStopsNginxAndRemovesItsPrefix() {
        NginxServer nginx = NginxServer.builder(served).start();
        ProcessHandle master = ProcessHandle.of(nginx.pid()).orElseThrow();
        Path prefix = nginx.accessLogFile().getParent().getParent();

        nginx.close();

        assertFalse(master.isAlive(), "nginx master still runs after close");
        assertFalse(Files.exists(prefix), "prefix left behind: " + prefix);
    }

    private static HttpResponse<byte[]> get(HttpClient client, String url, String token, String range)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
        if (token != null) {
            request.header("X-Auth-Token", token);
        }
        if (range != null) {
            request.header("Range", range);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static SSLContext trusting(Path trustStore) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(trustStore.toFile())) {
            store.load(in, NginxServer.TRUST_STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
