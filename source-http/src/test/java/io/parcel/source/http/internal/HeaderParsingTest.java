package io.parcel.source.http.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderParsingTest {
    @Test
    void readsAResponseHeadSkippingInterimResponses() throws IOException {
        ResponseHead head = HttpWire.readResponseHead(stream(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-0/10\r\n"
                        + "X-Folded: first\r\n  second\r\ncontent-length: 1\r\n\r\nB"));

        assertEquals(206, head.status());
        assertEquals("Partial Content", head.reason());
        assertEquals(Optional.of("1"), head.headers().first("Content-Length"));
        assertEquals(Optional.of("first second"), head.headers().first("x-folded"));
    }

    @Test
    void tellsWhetherTheConnectionMayCarryAnotherRequest() throws IOException {
        assertTrue(HttpWire.readResponseHead(stream("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).keepAlive());
        assertFalse(HttpWire.readResponseHead(stream("HTTP/1.1 200 OK\r\nConnection: Close\r\n\r\n")).keepAlive());
        assertFalse(HttpWire.readResponseHead(stream("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).keepAlive());
        assertTrue(HttpWire.readResponseHead(
                stream("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")).keepAlive());
    }

    @Test
    void asksForAPersistentConnection() {
        String head = new String(HttpWire.requestHead(URI.create("http://example.org/f"), "parcel/test", List.of(),
                Optional.empty()), StandardCharsets.UTF_8);
        assertFalse(head.toLowerCase().contains("connection:"), head);
    }

    @Test
    void rejectsWhatIsNotHttp() {
        assertThrows(ProtocolException.class, () -> HttpWire.readResponseHead(stream("SSH-2.0-OpenSSH\r\n\r\n")));
        assertThrows(ProtocolException.class, () -> HttpWire.readResponseHead(stream("HTTP/1.1 2x0 OK\r\n\r\n")));
        assertThrows(ProtocolException.class, () -> HttpWire.readResponseHead(stream("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n")));
        assertThrows(EOFException.class, () -> HttpWire.readResponseHead(stream("")));
        assertThrows(EOFException.class, () -> HttpWire.readResponseHead(stream("HTTP/1.1 200 OK\r\nA: b\r\n")));
    }

    @Test
    void writesTheRequestHeadWithTheTokenOnlyOnTheWire() {
        URI uri = URI.create("https://example.org:8443/a%20b/c?x=1");
        AuthToken token = new AuthToken("tok");
        String head = new String(HttpWire.requestHead(uri, "parcel/1", List.of(new HeaderField("Range", "bytes=0-0")),
                Optional.of(token)), StandardCharsets.UTF_8);

        assertTrue(head.startsWith("GET /a%20b/c?x=1 HTTP/1.1\r\nHost: example.org:8443\r\nUser-Agent: parcel/1\r\n"), head);
        assertTrue(head.contains("\r\nX-Auth-Token: tok\r\n"), head);
        assertTrue(head.contains("\r\nRange: bytes=0-0\r\n"), head);
        assertTrue(head.endsWith("\r\n\r\n"));
        assertFalse(token.toString().contains("tok"));
        assertEquals("example.org", HttpWire.hostHeader(URI.create("https://example.org:443/")));
    }

    @Test
    void headerValuesWithLineBreaksAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HeaderField("X-A", "a\r\nX-Injected: 1"));
        assertThrows(IllegalArgumentException.class, () -> new HeaderField("X A", "a"));
        assertEquals("Authorization: <redacted>", new HeaderField("Authorization", "Bearer x").toString());
    }

    @Test
    void parsesContentRange() throws ProtocolException {
        assertEquals(new ContentRange(0, 0, OptionalLong.of(10)), ContentRange.parse("bytes 0-0/10"));
        assertEquals(new ContentRange(5, 99, OptionalLong.empty()), ContentRange.parse("bytes 5-99/*"));
        assertEquals(new ContentRange(-1, -1, OptionalLong.of(0)), ContentRange.parse("bytes */0"));
        assertEquals(95, ContentRange.parse("bytes 5-99/*").length());
        assertThrows(ProtocolException.class, () -> ContentRange.parse("bytes 9-5/10"));
        assertThrows(ProtocolException.class, () -> ContentRange.parse("bytes 0-10/10"));
        assertThrows(ProtocolException.class, () -> ContentRange.parse("items 0-1/2"));
        assertThrows(ProtocolException.class, () -> ContentRange.parse("bytes 0-1"));
        assertThrows(ProtocolException.class, () -> ContentRange.parseLength("-1"));
    }

    @Test
    void parsesContentMd5InBothForms() {
        assertEquals(Optional.of("1b2cf535f27731c974343645a3985328"), ContentMd5.parse("Gyz1NfJ3Mcl0NDZFo5hTKA=="));
        assertEquals(Optional.of("1b2cf535f27731c974343645a3985328"), ContentMd5.parse("1B2CF535F27731C974343645A3985328"));
        assertEquals(Optional.empty(), ContentMd5.parse("not-an-md5"));
        assertEquals(Optional.empty(), ContentMd5.parse("AAAA"));
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
