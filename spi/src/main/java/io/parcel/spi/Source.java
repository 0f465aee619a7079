package io.parcel.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Reads resources (files behind URLs or IDs) over a {@link Transport}. Thread-safe: the kernel calls
 * {@link #open} from many threads at once, one call per parallel connection.
 */
public interface Source extends AutoCloseable {
    /**
     * Finds out name, size, checksum and range support of what {@code locator} names.
     *
     * @throws UsageException     when the locator is malformed
     * @throws TransferException  when the remote end refuses (not retryable: 401, 403, 404) or fails (retryable: 5xx, I/O)
     */
    Resource describe(String locator) throws IOException;

    /**
     * As {@link #describe}, and asks in the same request for the resource's first {@code firstBytes} bytes: on a long
     * path they then start one round trip sooner, and a file of at most that size comes whole with its description
     * (a manifest of many small files saves a round trip per file). The kernel reads the stream, when there is one,
     * as the range {@code [0, min(firstBytes, size))}. Default: {@link #describe}, with no bytes.
     *
     * @param firstBytes how many bytes from the start to ask for, {@code >= 0}; a source may give none
     */
    default Described describeAndOpen(String locator, long firstBytes) throws IOException {
        if (firstBytes < 0) {
            throw new IllegalArgumentException("firstBytes must not be negative: " + firstBytes);
        }
        return Described.withoutBytes(describe(locator));
    }

    /**
     * The name {@link #describe} will most likely give what {@code locator} names, when the locator alone tells (a
     * URL's last path segment); empty when only the answer can (a Content-Disposition). A hint for the kernel, which
     * looks with it whether the sink holds the file already. Quick, and never fails. Default: empty.
     */
    default Optional<String> likelyName(String locator) {
        return Optional.empty();
    }

    /**
     * A hint given just before {@link #describe} or {@link #describeAndOpen}: about {@code connections} connections to where {@code locator}
     * points will be opened for its ranges once it is described. A source may open them meanwhile, in the
     * background, so that the ranges start on connections that are ready (on a long path each new connection costs
     * one to four round trips before its first byte). It must return at once, never fail, and let go of connections
     * nobody takes within seconds. Default: nothing.
     */
    default void prepareConnections(String locator, int connections) {
    }

    /**
     * A stream of exactly the bytes of {@code range} of {@code resource}; the caller closes it. When the resource
     * does not support ranges only the whole resource may be asked for. Reads fail (never hang) after the I/O
     * timeout; a stream that ends early throws rather than returning -1 before {@code range.length()} bytes.
     * A source that cannot serve the range as asked (e.g. the server ignored the Range header) throws a
     * non-retryable {@link TransferException}; one whose {@link Resource#validator()} no longer matches throws one too.
     *
     * @param range for a resource of unknown size, {@code [start, Long.MAX_VALUE)} means "to the end"
     */
    InputStream open(Resource resource, ByteRange range) throws IOException;

    /** Releases pooled connections. Idempotent. */
    @Override
    void close();
}
