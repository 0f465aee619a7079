package io.parcel.spi;

import java.io.IOException;
import java.util.Optional;

/**
 * Creates {@link Transport}s of one kind ({@code tcp}, {@code udt}, ...). A transport that cannot run on this
 * machine says so through {@link #isAvailable()} and {@link #unavailabilityCause()} (computed once), instead of
 * failing when its classes load.
 */
public interface TransportFactory extends NamedFactory {
    default boolean isAvailable() {
        return unavailabilityCause().isEmpty();
    }

    /** Why this transport cannot be used here, or empty when it can. */
    default Optional<String> unavailabilityCause() {
        return Optional.empty();
    }

    /**
     * A new transport. The caller owns it and closes it.
     *
     * @throws UsageException when an option is invalid
     */
    Transport create(Options options, PluginContext context) throws IOException;
}
