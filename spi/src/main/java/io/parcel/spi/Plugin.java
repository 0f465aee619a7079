package io.parcel.spi;

import java.util.List;

/**
 * The one entry point of a plugin jar, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.parcel.spi.Plugin}). Every accessor has an empty default, so a new
 * extension kind never breaks an old plugin. Implementations need a public no-argument constructor
 * and must do no work in it: the kernel may load a plugin only to list it.
 */
public interface Plugin {
    default List<TransportFactory> transports() {
        return List.of();
    }

    default List<SourceFactory> sources() {
        return List.of();
    }

    default List<SinkFactory> sinks() {
        return List.of();
    }
}
