package io.parcel.spi;

import java.io.IOException;

/** Stores resources somewhere (a directory, ...). Thread-safe. */
public interface Sink extends AutoCloseable {
    /**
     * Prepares the destination of {@code resource}, picking up the durable progress of an earlier run of the same
     * resource (same size and validator) if there is one. The caller owns the destination and closes it.
     *
     * @throws UsageException    when the destination exists and differs, and overwriting was not allowed
     * @throws TransferException when the destination cannot be prepared (no space, no permission)
     */
    Destination open(Resource resource) throws IOException;

    @Override
    void close();
}
