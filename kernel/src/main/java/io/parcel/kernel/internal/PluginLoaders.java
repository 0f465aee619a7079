package io.parcel.kernel.internal;

import java.util.List;

/** The plugin class loaders, owned by the kernel and closed last, after every plugin object is done. */
record PluginLoaders(List<? extends AutoCloseable> loaders) {
    PluginLoaders {
        loaders = List.copyOf(loaders);
    }

    void close() {
        loaders.forEach(StopSignal::closeQuietly);
    }
}
