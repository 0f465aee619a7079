package io.parcel.source.http.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;

/** Decodes a {@code Transfer-Encoding: chunked} body (RFC 9112 section 7.1); trailer fields are read and dropped. */
final class ChunkedInputStream extends InputStream implements DelimitedBody {
    /** Chunk sizes above this are not plausible and would overflow the arithmetic below. */
    private static final long MAX_CHUNK_SIZE = Long.MAX_VALUE / 16;

    private final InputStream in;
    private long chunkRemaining;
    private boolean finished;
    private boolean inChunk;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (finished) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        if (!inChunk || chunkRemaining == 0) {
            if (inChunk) {
                expectLineEnd();
            }
            chunkRemaining = readChunkSize();
            inChunk = true;
            if (chunkRemaining == 0) {
                skipTrailers();
                finished = true;
                return -1;
            }
        }
        int n = in.read(buffer, offset, (int) Math.min(length, chunkRemaining));
        if (n < 0) {
            throw new EOFException("connection closed inside a chunk with " + chunkRemaining + " bytes still expected");
        }
        chunkRemaining -= n;
        return n;
    }

    @Override
    public long remainingIfKnown() {
        return finished ? 0 : -1;
    }

    private long readChunkSize() throws IOException {
        String line = HttpWire.readLine(in, false);
        int end = line.indexOf(';');
        String hex = (end < 0 ? line : line.substring(0, end)).trim();
        if (hex.isEmpty()) {
            throw new ProtocolException("empty chunk size line");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int digit = Character.digit(hex.charAt(i), 16);
            if (digit < 0 || size > MAX_CHUNK_SIZE) {
                throw new ProtocolException("bad chunk size '" + hex + "'");
            }
            size = size * 16 + digit;
        }
        return size;
    }

    private void expectLineEnd() throws IOException {
        if (!HttpWire.readLine(in, false).isEmpty()) {
            throw new ProtocolException("chunk data not followed by CRLF");
        }
    }

    private void skipTrailers() throws IOException {
        for (int i = 0; i < HttpWire.MAX_HEADER_FIELDS; i++) {
            if (HttpWire.readLine(in, false).isEmpty()) {
                return;
            }
        }
        throw new ProtocolException("more than " + HttpWire.MAX_HEADER_FIELDS + " trailer fields");
    }
}
