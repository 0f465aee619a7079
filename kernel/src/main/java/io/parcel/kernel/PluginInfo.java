package io.parcel.kernel;

import java.util.Optional;

/**
 * One factory the kernel found, as {@code parcel plugins} lists it.
 *
 * @param name              factory name, unique within its kind
 * @param kind              transport, source or sink
 * @param version           from the plugin jar's manifest (Implementation-Version), or "unknown"
 * @param origin            "class path", or the plugin directory it was loaded from
 * @param description       the factory's one-line description
 * @param unavailableReason why a transport cannot run here; empty when it can
 */
public record PluginInfo(String name, PluginKind kind, String version, String origin, String description,
                         Optional<String> unavailableReason) {
}
