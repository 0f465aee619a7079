package io.parcel.source.http.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChunkedInputStreamTest {
    @Test
    void decodesChunksWithExtensionsAndTrailers() throws IOException {
        InputStream in = chunked("5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT");

        assertEquals("hello 0123456789", new String(new ChunkedInputStream(in).readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals("NEXT", new String(in.readAllBytes(), StandardCharsets.US_ASCII), "stops right after the body");
    }

    @Test
    void acceptsBareLineFeedsAndUpperCaseHex() throws IOException {
        assertEquals(26, new ChunkedInputStream(chunked("1A\nabcdefghijklmnopqrstuvwxyz\n0\n\n")).readAllBytes().length);
    }

    @Test
    void anEmptyBodyIsJustTheLastChunk() throws IOException {
        assertEquals(-1, new ChunkedInputStream(chunked("0\r\n\r\n")).read());
    }

    @Test
    void aTruncatedChunkIsAnError() {
        assertThrows(EOFException.class, () -> new ChunkedInputStream(chunked("10\r\nshort")).readAllBytes());
        assertThrows(EOFException.class, () -> new ChunkedInputStream(chunked("3\r\nabc\r\n")).readAllBytes());
    }

    @Test
    void malformedFramingIsAProtocolError() {
        assertThrows(ProtocolException.class, () -> new ChunkedInputStream(chunked("zz\r\nabc\r\n")).readAllBytes());
        assertThrows(ProtocolException.class, () -> new ChunkedInputStream(chunked("3\r\nabcX\r\n0\r\n\r\n")).readAllBytes());
        assertThrows(ProtocolException.class,
                () -> new ChunkedInputStream(chunked("fffffffffffffffffff\r\n")).readAllBytes());
    }

    private static InputStream chunked(String wire) {
        return new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII));
    }
}
