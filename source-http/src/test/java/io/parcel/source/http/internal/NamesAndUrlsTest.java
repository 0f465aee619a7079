package io.parcel.source.http.internal;

import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesAndUrlsTest {
    @Test
    void contentDispositionForms() {
        assertEquals(Optional.of("a b.txt"), FileNames.fromContentDisposition("attachment; filename=\"a b.txt\""));
        assertEquals(Optional.of("plain.bin"), FileNames.fromContentDisposition("attachment;filename=plain.bin"));
        assertEquals(Optional.of("q\"x;y.txt"), FileNames.fromContentDisposition("inline; filename=\"q\\\"x;y.txt\"; size=3"));
        assertEquals(Optional.of("r\u00e9sum\u00e9.pdf"),
                FileNames.fromContentDisposition("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf; filename=\"resume.pdf\""));
        assertEquals(Optional.of("\u00a3.txt"), FileNames.fromContentDisposition("attachment; filename*=ISO-8859-1'en'%A3.txt"));
        assertEquals(Optional.of("fallback.txt"),
                FileNames.fromContentDisposition("attachment; filename*=bogus-charset''x.txt; filename=fallback.txt"));
        assertEquals(Optional.of("evil.sh"), FileNames.fromContentDisposition("attachment; filename=\"C:\\\\temp\\\\evil.sh\""));
        assertEquals(Optional.of("shadow"), FileNames.fromContentDisposition("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fshadow"));
        assertEquals(Optional.empty(), FileNames.fromContentDisposition("attachment; filename=\"..\""));
        assertEquals(Optional.empty(), FileNames.fromContentDisposition("attachment"));
    }

    @Test
    void urlNames() {
        assertEquals(Optional.of("file name.bam"), FileNames.fromUrl(URI.create("https://h/x/file%20name.bam?sig=1")));
        assertEquals(Optional.of("dir"), FileNames.fromUrl(URI.create("https://h/dir/")));
        assertEquals(Optional.empty(), FileNames.fromUrl(URI.create("https://h/")));
        assertEquals(Optional.of("b"), FileNames.fromUrl(URI.create("https://h/a%2Fb")));
        String longName = "n".repeat(400);
        assertEquals(FileNames.MAX_NAME_BYTES, FileNames.sanitize(longName).orElseThrow().length());
    }

    @Test
    void locatorsResolve() throws UsageException {
        Optional<URI> base = Optional.of(URI.create("https://api.example.org/v1/"));
        assertEquals(URI.create("https://api.example.org/v1/data/abc-123"), Urls.resolve("abc-123", base));
        assertEquals(URI.create("https://api.example.org/v1/data/a%2Fb%20c"), Urls.resolve("a/b c", base));
        assertEquals(URI.create("http://h:81/x"), Urls.resolve("http://h:81/x", Optional.empty()));
        assertThrows(UsageException.class, () -> Urls.resolve("abc", Optional.empty()));
        assertThrows(UsageException.class, () -> Urls.resolve("..", base));
        assertThrows(UsageException.class, () -> Urls.resolve("file:///etc/passwd", base));
        assertThrows(UsageException.class, () -> Urls.resolve("http:///nohost", base));
        assertThrows(UsageException.class, () -> Urls.resolve("  ", base));
    }

    @Test
    void displayHidesUserInfoAndQuery() {
        String shown = Urls.display(URI.create("https://user:pw@h.example:8443/p/f.bin?X-Amz-Signature=abc"));
        assertEquals("https://h.example:8443/p/f.bin?...", shown);
        assertFalse(shown.contains("pw"));
    }

    @Test
    void originsCompareSchemeHostAndPort() {
        assertTrue(Urls.sameOrigin(URI.create("https://h/a"), URI.create("https://H:443/b")));
        assertFalse(Urls.sameOrigin(URI.create("https://h/a"), URI.create("http://h/a")));
        assertFalse(Urls.sameOrigin(URI.create("https://h/a"), URI.create("https://h:8443/a")));
        assertFalse(Urls.sameOrigin(URI.create("https://h/a"), URI.create("https://other/a")));
    }
}
