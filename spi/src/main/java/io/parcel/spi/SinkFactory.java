package io.parcel.spi;

import java.io.IOException;

/** Creates {@link Sink}s of one kind (e.g. {@code file}). */
public interface SinkFactory extends NamedFactory {
    Sink create(Options options, PluginContext context) throws IOException;
}
