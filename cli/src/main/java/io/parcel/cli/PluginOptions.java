package io.parcel.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.parcel.kernel.Kernel;
import io.parcel.kernel.KernelConfig;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Option;

import static java.util.Objects.requireNonNull;

/**
 * Where plugins come from: the class path (the built-in ones), {@code $PARCEL_HOME/plugins} (set by the launcher)
 * and any {@code --plugins-dir}. Shared by every command that starts a kernel, as a picocli {@code @Mixin}.
 */
public final class PluginOptions {
    /** Set by {@code bin/parcel} to the distribution's root. */
    public static final String PARCEL_HOME = "PARCEL_HOME";

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "Also load plugins from DIR/<name>/*.jar (repeatable).")
    private List<String> pluginDirectories = new ArrayList<>();

    /** The kernel configuration for {@code environment}, with {@code extraDirectories} (e.g. from a config file) last. */
    public KernelConfig kernelConfig(CliEnvironment environment, List<String> extraDirectories) {
        requireNonNull(environment, "environment is null");
        requireNonNull(extraDirectories, "extraDirectories is null");
        List<Path> directories = new ArrayList<>();
        environment.variable(PARCEL_HOME).ifPresent(home -> directories.add(Path.of(home).resolve("plugins")));
        pluginDirectories.forEach(directory -> directories.add(environment.resolve(directory)));
        extraDirectories.forEach(directory -> directories.add(environment.resolve(directory)));
        return new KernelConfig(directories.stream().distinct().toList(), true, Clock.systemUTC());
    }

    /** A started kernel; the caller owns and closes it. */
    public Kernel startKernel(CliEnvironment environment) throws UsageException {
        return Kernel.start(kernelConfig(environment, List.of()));
    }
}
