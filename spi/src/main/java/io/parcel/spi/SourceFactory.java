package io.parcel.spi;

import java.io.IOException;

/** Creates {@link Source}s of one kind (e.g. {@code http}, which also handles https). */
public interface SourceFactory extends NamedFactory {
    /**
     * A new source that opens its connections through {@code transport} (owned by the caller, not the source).
     *
     * @throws UsageException when an option is invalid (e.g. an unreadable token file)
     */
    Source create(Options options, Transport transport, PluginContext context) throws IOException;
}
