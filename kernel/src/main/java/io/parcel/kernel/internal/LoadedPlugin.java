package io.parcel.kernel.internal;

import io.parcel.spi.Plugin;

import static java.util.Objects.requireNonNull;

/**
 * One plugin instance and where it came from.
 *
 * @param plugin   the instance
 * @param loader   the class loader its code runs under (its plugin directory's, or the class path's)
 * @param origin   "class path", or the plugin directory, as {@code parcel plugins} shows it
 * @param version  Implementation-Version of its jar, or "unknown"
 * @param evidence where exactly, for error messages: origin, jar and class
 */
record LoadedPlugin(Plugin plugin, ClassLoader loader, String origin, String version, String evidence) {
    LoadedPlugin {
        requireNonNull(plugin, "plugin is null");
        requireNonNull(loader, "loader is null");
        requireNonNull(origin, "origin is null");
        requireNonNull(version, "version is null");
        requireNonNull(evidence, "evidence is null");
    }
}
