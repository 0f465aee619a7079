package io.parcel.cli.internal.demo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoServerTest {
    private static final int SIZE = 300_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DemoData data = new DemoData(SIZE, 3);
    private final byte[] expected = bytes(data);
    private DemoServer server;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        server = DemoServer.start(data, data.md5(), "demo.bin");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void servesTheWholeFileWithWhatDownloadersNeed() throws Exception {
        HttpResponse<byte[]> response = client.send(request(server.uri()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(expected, response.body());
        assertEquals(data.md5().base64(), response.headers().firstValue("Content-MD5").orElseThrow());
        assertEquals("bytes", response.headers().firstValue("Accept-Ranges").orElseThrow());
        assertEquals("attachment; filename=\"demo.bin\"",
                response.headers().firstValue("Content-Disposition").orElseThrow());
        assertTrue(server.uri().toString().startsWith("http://127.0.0.1:"), server.uri().toString());
    }

    @Test
    void servesByteRanges() throws Exception {
        HttpResponse<byte[]> middle = client.send(request(server.uri()).header("Range", "bytes=70000-70999").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, middle.statusCode());
        assertEquals("bytes 70000-70999/" + SIZE, middle.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(expected, 70_000, 71_000), middle.body());

        HttpResponse<byte[]> open = client.send(request(server.uri()).header("Range", "bytes=299990-").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(Arrays.copyOfRange(expected, 299_990, SIZE), open.body());

        HttpResponse<byte[]> suffix = client.send(request(server.uri()).header("Range", "bytes=-5").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(Arrays.copyOfRange(expected, SIZE - 5, SIZE), suffix.body());

        HttpResponse<byte[]> beyond = client.send(request(server.uri()).header("Range", "bytes=" + SIZE + "-").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(416, beyond.statusCode());
        assertEquals("bytes */" + SIZE, beyond.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void answersHeadAndRefusesOtherPathsAndMethods() throws Exception {
        HttpResponse<Void> head = client.send(request(server.uri()).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(Long.toString(SIZE), head.headers().firstValue("Content-Length").orElseThrow());

        HttpResponse<String> missing = client.send(request(server.uri().resolve("/other.bin")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());

        HttpResponse<String> delete = client.send(request(server.uri()).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, delete.statusCode());
    }

    @Test
    void keepsTheConnectionAliveBetweenRequests() throws Exception {
        URI uri = server.uri();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            String request = "GET " + uri.getPath() + " HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n";
            out.write((request + request).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            for (int response = 0; response < 2; response++) {
                assertEquals("HTTP/1.1 206 Partial Content", in.readLine());
                for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                    // headers
                }
                assertEquals(expected[0] & 0xff, in.read());
                assertEquals(expected[1] & 0xff, in.read());
            }
        }
    }

    private static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    }

    private static byte[] bytes(DemoData data) {
        byte[] bytes = new byte[(int) data.size()];
        data.fill(0, bytes, bytes.length);
        return bytes;
    }
}
