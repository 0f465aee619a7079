package io.parcel.testsupport;

import io.parcel.testsupport.RangeHttpServer.Content;
import io.parcel.testsupport.RangeHttpServer.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RangeHttpServerTest {
    private static final byte[] SMALL = TestData.bytes(1, 10_000);

    @Test
    void servesTheWholeResourceWithItsHeadersAndCountsIt() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a.bin", SMALL).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/a.bin");
            assertEquals(200, response.status());
            assertArrayEquals(SMALL, response.body());
            assertEquals("10000", response.header("Content-Length"));
            assertEquals("bytes", response.header("Accept-Ranges"));
            assertEquals("application/octet-stream", response.header("Content-Type"));
            assertNull(response.header("Content-MD5"));
            assertNull(response.header("Content-Disposition"));
            assertEquals(1, server.requestCount());
            assertEquals(0, server.rangeRequestCount());
            assertEquals(SMALL.length, server.bytesSent());
            assertEquals("http://127.0.0.1:" + server.port() + "/a.bin", server.url("/a.bin"));
        }
    }

    @Test
    void servesSingleRangesOfGeneratedContent() throws IOException {
        long size = 5L << 30; // far beyond an array; nothing is held in memory
        try (RangeHttpServer server = RangeHttpServer.builder().generated("/big", 7, size).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            long start = (4L << 30) + 5;
            RawHttpClient.Response middle = client.get("/big", "Range: bytes=" + start + "-" + (start + 999));
            assertEquals(206, middle.status());
            assertEquals("bytes " + start + "-" + (start + 999) + "/" + size, middle.header("Content-Range"));
            assertArrayEquals(TestData.bytes(7, start, 1000), middle.body());

            RawHttpClient.Response tail = client.get("/big", "Range: bytes=" + (size - 10) + "-");
            assertEquals(206, tail.status());
            assertEquals("bytes " + (size - 10) + "-" + (size - 1) + "/" + size, tail.header("Content-Range"));
            assertArrayEquals(TestData.bytes(7, size - 10, 10), tail.body());

            RawHttpClient.Response suffix = client.get("/big", "Range: bytes=-4");
            assertArrayEquals(TestData.bytes(7, size - 4, 4), suffix.body());

            RawHttpClient.Response clipped = client.get("/big", "Range: bytes=" + (size - 3) + "-" + (size + 100));
            assertEquals("bytes " + (size - 3) + "-" + (size - 1) + "/" + size, clipped.header("Content-Range"));

            RawHttpClient.Response head = client.send("HEAD", "/big");
            assertEquals(200, head.status());
            assertEquals(Long.toString(size), head.header("Content-Length"));

            assertEquals(5, server.requestCount());
            assertEquals(4, server.rangeRequestCount());
            assertEquals(1000 + 10 + 4 + 3, server.bytesSent());
            assertEquals(1, server.connectionCount(), "keep-alive: one connection for every request");
            assertEquals(List.of("bytes=" + start + "-" + (start + 999), "bytes=" + (size - 10) + "-",
                    "bytes=-4", "bytes=" + (size - 3) + "-" + (size + 100)), server.ranges("/big"));
        }
    }

    @Test
    void unsatisfiableRangeGets416WithTheSize() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL)
                .resource("/empty", new byte[0]).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response beyond = client.get("/a", "Range: bytes=10000-");
            assertEquals(416, beyond.status());
            assertEquals("bytes */10000", beyond.header("Content-Range"));
            RawHttpClient.Response empty = client.get("/empty", "Range: bytes=0-");
            assertEquals(416, empty.status());
            assertEquals("bytes */0", empty.header("Content-Range"));
            RawHttpClient.Response whole = client.get("/empty");
            assertEquals(200, whole.status());
            assertEquals(0, whole.body().length);
            assertEquals(0, server.bytesSent());
        }
    }

    @Test
    void ignoresRangesItDoesNotServeAndIfRangeWithAnotherEtag() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder()
                .resource("/a", Content.bytes(SMALL), spec -> spec.etag("\"v2\"")).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            assertEquals(200, client.get("/a", "Range: bytes=0-1,5-6").status(), "several ranges");
            assertEquals(200, client.get("/a", "Range: lines=0-1").status(), "another unit");
            assertEquals(200, client.get("/a", "Range: bytes=0-10", "If-Range: \"v1\"").status(), "stale If-Range");
            RawHttpClient.Response fresh = client.get("/a", "Range: bytes=0-10", "If-Range: \"v2\"");
            assertEquals(206, fresh.status());
            assertEquals("\"v2\"", fresh.header("ETag"));
        }
    }

    @Test
    void withoutRangesAlwaysSendsTheWholeBody() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL).ranges(false).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/a", "Range: bytes=100-199");
            assertEquals(200, response.status());
            assertArrayEquals(SMALL, response.body());
            assertNull(response.header("Accept-Ranges"));
            assertNull(response.header("Content-Range"));
            assertEquals(0, server.rangeRequestCount());
        }
    }

    @Test
    void sendsContentMd5FilenameAndCustomHeaders() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder()
                .contentMd5(true)
                .generated("/g", 3, 123_457, spec -> spec.filename("reads.bam").header("X-Extra", "yes"))
                .resource("/wrong", Content.bytes(SMALL), spec -> spec.contentMd5("AAAAAAAAAAAAAAAAAAAAAA=="))
                .start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response generated = client.get("/g", "Range: bytes=0-9");
            assertEquals(TestData.md5Base64(3, 123_457), generated.header("Content-MD5"), "MD5 of the whole file");
            assertEquals("attachment; filename=\"reads.bam\"", generated.header("Content-Disposition"));
            assertEquals("yes", generated.header("X-Extra"));
            assertEquals("AAAAAAAAAAAAAAAAAAAAAA==", client.get("/wrong").header("Content-MD5"));
        }
    }

    @Test
    void redirectsAndServesGdcStyleDataPathsIgnoringTheQuery() throws Exception {
        try (RangeHttpServer server = RangeHttpServer.builder()
                .dataFile("1b2c-uuid", Content.bytes(SMALL), spec -> spec.filename("x.txt"))
                .redirect("/old", "/data/1b2c-uuid")
                .start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response redirect = client.get("/old");
            assertEquals(302, redirect.status());
            assertEquals(server.url("/data/1b2c-uuid"), redirect.header("Location"));
            assertEquals(200, client.get("/data/1b2c-uuid?related_files=true").status());
            assertEquals(2, server.requestCount("/data/1b2c-uuid") + server.requestCount("/old"));

            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<byte[]> followed = http.send(HttpRequest.newBuilder(server.uri("/old"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, followed.statusCode());
            assertArrayEquals(SMALL, followed.body());
            assertEquals(server.dataUri("1b2c-uuid"), followed.uri());
        }
    }

    @Test
    void requiresTheTokenWhenOneIsSet() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL).authToken("s3cret").start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            assertEquals(401, client.get("/a").status());
            assertEquals(403, client.get("/a", "X-Auth-Token: wrong").status());
            RawHttpClient.Response allowed = client.get("/a", "X-Auth-Token: s3cret");
            assertEquals(200, allowed.status());
            assertArrayEquals(SMALL, allowed.body());
            List<RecordedRequest> requests = server.requests();
            assertEquals(List.of(401, 403, 200), requests.stream().map(RecordedRequest::status).toList());
            assertEquals("s3cret", requests.get(2).header("X-Auth-Token"));
        }
    }

    @Test
    void answersUnknownPathsAndMethods() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            assertEquals(404, client.get("/nope").status());
            RawHttpClient.Response post = client.send("POST", "/a", "Content-Length: 0");
            assertEquals(405, post.status());
            assertEquals("GET, HEAD", post.header("Allow"));
            assertEquals(200, client.get("/a").status(), "still usable after errors");
        }
    }

    @Test
    void failsTheFirstRequestsWithTheOverrideStatus() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL).failFirst(2, 503).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            assertEquals(503, client.get("/a").status());
            assertEquals(503, client.send("HEAD", "/a").status());
            assertEquals(200, client.get("/a").status());
        }
    }

    @Test
    void cutsTheFirstLongBodiesAfterTheGivenBytes() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL).cutAfter(1000, 1).start()) {
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                RawHttpClient.Response small = client.get("/a", "Range: bytes=0-99");
                assertTrue(small.complete(), "a body no longer than the cut point is not cut");
                RawHttpClient.Response cut = client.get("/a");
                assertEquals(200, cut.status());
                assertEquals("10000", cut.header("Content-Length"));
                assertFalse(cut.complete());
                assertArrayEquals(Arrays.copyOf(SMALL, 1000), cut.body());
            }
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                assertArrayEquals(SMALL, client.get("/a").body(), "only the first long body is cut");
            }
            assertEquals(1, server.cutCount());
            assertEquals(100 + 1000 + SMALL.length, server.bytesSent());
        }
    }

    @Test
    void stallsTheFirstRequests() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL)
                .stallFirst(1, Duration.ofSeconds(30)).start()) {
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                client.socket().setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> client.get("/a"));
            }
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                assertEquals(200, client.get("/a").status(), "the second request is not stalled");
            }
        }
    }

    @Test
    void throttlesEachConnection() throws IOException {
        // 40 KiB at 100 KiB/s takes about 400 ms; only a lower bound is checked (a slow machine is slower).
        try (RangeHttpServer server = RangeHttpServer.builder().generated("/g", 1, 40 * 1024)
                .throttle(100 * 1024).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            long started = System.nanoTime();
            assertTrue(client.get("/g").complete());
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(elapsedMillis >= 250, "40 KiB at 100 KiB/s arrived in " + elapsedMillis + " ms");
        }
    }

    @Test
    void closesConnectionsWhenAskedOrWithoutKeepAlive() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL).keepAlive(false).start()) {
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                RawHttpClient.Response response = client.get("/a");
                assertEquals("close", response.header("Connection"));
                assertTrue(client.serverClosed());
            }
        }
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            assertEquals(200, client.get("/a", "Connection: close").status());
            assertTrue(client.serverClosed());
        }
    }

    @Test
    void servesHttpsWithTheTestCertificate() throws Exception {
        TestTls tls = TestTls.get();
        try (RangeHttpServer server = RangeHttpServer.builder().tls(tls.serverContext())
                .generated("/g", 2, 300_000).start()) {
            assertEquals("https://127.0.0.1:" + server.port() + "/g", server.url("/g"));
            HttpClient http = HttpClient.newBuilder().sslContext(tls.clientContext())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(server.uri("/g"))
                    .header("Range", "bytes=1000-").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(206, response.statusCode());
            assertArrayEquals(TestData.bytes(2, 1000, 299_000), response.body());
            try (java.io.InputStream pem = java.nio.file.Files.newInputStream(tls.certificatePem())) {
                java.security.cert.X509Certificate certificate = (java.security.cert.X509Certificate)
                        java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(pem);
                assertEquals("CN=localhost", certificate.getSubjectX500Principal().getName());
            }
        }
    }

    @Test
    void closeDoesNotWaitForAClientThatStoppedReading() throws Exception {
        for (boolean secure : new boolean[] {false, true}) {
            RangeHttpServer.Builder builder = RangeHttpServer.builder().generated("/g", 2, 1L << 30);
            if (secure) {
                builder.tls(TestTls.get().serverContext());
            }
            RangeHttpServer server = builder.start();
            Socket client = secure
                    ? TestTls.get().clientContext().getSocketFactory().createSocket("127.0.0.1", server.port())
                    : new Socket("127.0.0.1", server.port());
            try (client) {
                client.getOutputStream().write("GET /g HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                client.getOutputStream().flush();
                assertTrue(client.getInputStream().read() >= 0, "the response started");
                // Let the buffers fill up until the server's write blocks: no progress for 300 ms (bounded wait).
                // A TLS close used to hang exactly then, waiting for the blocked writer's lock.
                long sent = -1;
                for (int wait = 0; wait < 50 && server.bytesSent() != sent; wait++) {
                    sent = server.bytesSent();
                    Thread.sleep(300);
                }
                assertEquals(sent, server.bytesSent(), "the server's write blocked");
                assertTimeoutPreemptively(Duration.ofSeconds(10), server::close, "close with secure=" + secure);
            }
        }
    }

    @Test
    void resourcesCanChangeWhileRunning() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL).start();
             RawHttpClient client = new RawHttpClient(server.port())) {
            server.put("/a", Content.text("new"));
            assertEquals("new", client.get("/a").text());
            server.remove("/a");
            assertEquals(404, client.get("/a").status());
        }
    }

    @Test
    void closeEndsIdleConnectionsAndThreadsAndIsIdempotent() throws Exception {
        RangeHttpServer server = RangeHttpServer.builder().resource("/a", SMALL)
                .stallFirst(1, Duration.ofMinutes(5)).start();
        int port = server.port();
        try (RawHttpClient stalled = new RawHttpClient(port); RawHttpClient idle = new RawHttpClient(port)) {
            Thread stalledRequest = Thread.ofPlatform().daemon().start(() -> {
                try {
                    stalled.get("/a");
                } catch (IOException expected) {
                    // The server closes while stalling.
                }
            });
            while (server.requestCount() == 0) {
                Thread.sleep(10);
            }
            assertEquals(200, idle.get("/a").status());
            assertTimeoutPreemptively(Duration.ofSeconds(10), server::close);
            server.close();
            assertTrue(idle.serverClosed(), "an idle keep-alive connection is closed");
            stalledRequest.join(5000);
            assertFalse(stalledRequest.isAlive(), "the stalled request ended with the server");
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(thread -> thread.getName().startsWith("range-http-" + port)),
                "no server thread left");
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }
}
