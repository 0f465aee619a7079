package io.parcel.kernel;

import java.io.IOException;
import java.util.List;

import io.parcel.spi.Options;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;

/**
 * The microkernel: discovers plugins (class path and plugin directories), wires them by name, and runs pipelines.
 * The kernel knows plugins only through the SPI. One per process; thread-safe.
 */
public interface Kernel extends AutoCloseable {
    /**
     * Discovers plugins and wires them.
     *
     * @throws UsageException naming the jar or directory and the cause when a plugin is broken or two plugins
     *                        of one kind share a name
     */
    static Kernel start(KernelConfig config) throws UsageException {
        return io.parcel.kernel.internal.DefaultKernel.start(config);
    }

    /** Every factory found, sorted by kind then name. */
    List<PluginInfo> plugins();

    /**
     * A new transport of the named kind, owned by the caller.
     *
     * @throws UsageException when no such transport exists (the message lists those that do) or it is unavailable here
     */
    Transport openTransport(String name, Options options) throws IOException;

    /**
     * Starts downloading. Validation errors (unknown plugin names, bad options) are thrown here, before anything is
     * transferred; transfer failures are reported per file in the {@link DownloadReport}.
     */
    Download startDownload(DownloadRequest request) throws UsageException;

    @Override
    void close();
}
