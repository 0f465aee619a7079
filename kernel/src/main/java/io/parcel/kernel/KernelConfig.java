package io.parcel.kernel;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * How to start a {@link Kernel}.
 *
 * @param pluginDirectories directories holding one sub-directory per plugin ({@code plugins/<name>/*.jar});
 *                          missing directories are skipped
 * @param useClassPath      also discover plugins on the application class path
 * @param clock             time source for the kernel and plugins
 */
public record KernelConfig(List<Path> pluginDirectories, boolean useClassPath, Clock clock) {
    public KernelConfig {
        pluginDirectories = List.copyOf(requireNonNull(pluginDirectories, "pluginDirectories is null"));
        requireNonNull(clock, "clock is null");
    }

    public static KernelConfig classPathOnly() {
        return new KernelConfig(List.of(), true, Clock.systemUTC());
    }
}
