package io.parcel.cli.relay;

import io.parcel.spi.Options;
import io.parcel.spi.Transport;

import java.io.IOException;

/**
 * Gives a command a transport by name. The same shape as {@code io.parcel.kernel.Kernel#openTransport}, so a kernel
 * plugs in as {@code kernel::openTransport}.
 */
@FunctionalInterface
interface TransportOpener {
    /**
     * A new transport, owned by the caller.
     *
     * @throws io.parcel.spi.UsageException when no such transport exists or an option is invalid
     */
    Transport openTransport(String name, Options options) throws IOException;
}
