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

    /**
     * Whether this sink may already hold something stored under {@code name}: a complete file, or an earlier run's
     * progress. The kernel asks for a resource's first bytes with its description ({@link Source#describeAndOpen})
     * only when it cannot, as a skip or a resume would drop them. Quick, and never fails. Default: true.
     */
    default boolean mayHold(String name) {
        return true;
    }

    @Override
    void close();
}
