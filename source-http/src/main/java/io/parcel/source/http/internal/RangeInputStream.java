package io.parcel.source.http.internal;

import io.parcel.spi.ParcelException;
import io.parcel.spi.TransferException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

import static java.util.Objects.requireNonNull;

/**
 * The body of a range response, exactly {@code expected} bytes long (or up to the end when unknown). Every failure,
 * an early end included, comes out as a retryable {@link TransferException} that says how far it got, so the
 * caller can resume from there. Closing it closes the connection.
 */
public final class RangeInputStream extends InputStream {
    /** Marks a body read to its end whatever its length. */
    public static final long UNTIL_END = -1;

    private final Exchange exchange;
    private final InputStream body;
    private final long expected;
    private final String description;
    private long received;
    // close() may come from another thread (a stop signal) while one reads.
    private volatile boolean closed;

    public RangeInputStream(Exchange exchange, long expected, String description) {
        this.exchange = requireNonNull(exchange, "exchange is null");
        this.body = exchange.body();
        this.expected = expected;
        this.description = requireNonNull(description, "description is null");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("stream closed: " + description);
        }
        if (length == 0) {
            return 0;
        }
        if (expected != UNTIL_END && received == expected) {
            return -1;
        }
        int wanted = expected == UNTIL_END ? length : (int) Math.min(length, expected - received);
        int n;
        try {
            n = body.read(buffer, offset, wanted);
        } catch (ParcelException e) {
            throw e;
        } catch (IOException e) {
            throw failure(e);
        }
        if (n < 0) {
            if (expected != UNTIL_END) {
                throw failure(new EOFException("connection ended early"));
            }
            return -1;
        }
        received += n;
        return n;
    }

    private TransferException failure(IOException cause) {
        String progress = expected == UNTIL_END ? received + " bytes" : received + " of " + expected + " bytes";
        return new TransferException("reading " + description + " failed after " + progress + ": "
                + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()),
                true, cause);
    }

    /** Bytes delivered so far. */
    public long received() {
        return received;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            exchange.close();
        }
    }
}
