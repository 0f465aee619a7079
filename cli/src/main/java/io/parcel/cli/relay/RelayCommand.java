package io.parcel.cli.relay;

import java.util.Optional;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.PluginOptions;
import io.parcel.cli.internal.BaseCommand;
import io.parcel.kernel.Kernel;
import picocli.CommandLine.Mixin;

import static java.util.Objects.requireNonNull;

/**
 * A long-running relay command ({@code serve}, {@code tunnel tcp2udt}, {@code tunnel udt2tcp}): {@code --debug},
 * {@code --log-file} and {@code --plugins-dir} like every other command. In {@code parcel} its transports come from a
 * kernel that lives as long as the command and it stops on SIGTERM; tests hand it a {@link RelayContext} instead.
 */
abstract class RelayCommand extends BaseCommand {
    @Mixin
    PluginOptions plugins = new PluginOptions();

    private final Optional<RelayContext> givenContext;

    RelayCommand(CliEnvironment environment) {
        super(environment);
        this.givenContext = Optional.empty();
    }

    RelayCommand(CliEnvironment environment, RelayContext context) {
        super(environment);
        this.givenContext = Optional.of(requireNonNull(context, "context is null"));
    }

    @Override
    protected final int execute() throws Exception {
        if (givenContext.isPresent()) {
            return run(givenContext.get());
        }
        // The kernel outlives every transport it opened: the command closes its transport before returning.
        try (Kernel kernel = plugins.startKernel(environment)) {
            return run(RelayContext.system(kernel::openTransport));
        }
    }

    /** Serves until {@code context}'s shutdown signal; returns the exit code. */
    abstract int run(RelayContext context) throws Exception;
}
