package io.parcel.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Where one resource is being written. Nothing here ever looks complete before {@link #commit()} succeeded:
 * data goes to a partial file, progress to a journal, and commit verifies then renames atomically.
 *
 * <p>{@link #write} and {@link #markDone} may be called from many threads at once for disjoint ranges.
 * {@link #commit()} and {@link #close()} are called once, after all writers stopped.
 */
public interface Destination extends AutoCloseable {
    /** Where the finished file will be, as the user should see it (e.g. a path). */
    String location();

    /** True when the finished resource is already there and matches (size and, when known, MD5): nothing to do. */
    boolean alreadyComplete();

    /** Ranges that an earlier run wrote and made durable; empty for a fresh start. Sorted, disjoint. */
    List<ByteRange> doneRanges();

    /** Writes {@code data} (position to limit) at {@code offset}. */
    void write(long offset, ByteBuffer data) throws IOException;

    /**
     * Records durably that {@code range} was written: its data is forced to storage first, then the journal,
     * so a crash after this returns never loses the range, and a crash before it only re-fetches it.
     */
    void markDone(ByteRange range) throws IOException;

    /**
     * Verifies the size (when known) and MD5 (when known and verification is on) of the written data, then
     * makes the finished file appear atomically and removes the journal.
     *
     * @throws VerificationException when the data is not what was promised; then nothing that looks complete remains
     */
    void commit() throws IOException;

    /** Without a successful commit: keeps partial data and journal for a later resume. Idempotent. */
    @Override
    void close() throws IOException;
}
