package io.parcel.cli.internal;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.LoggingOptions;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Mixin;

import static java.util.Objects.requireNonNull;

/**
 * A command with {@code --debug} and {@code --log-file}: logging is set up around {@link #execute()} and torn down
 * after it. Failures propagate to {@link io.parcel.cli.Main}, which maps them to exit codes.
 */
public abstract class BaseCommand implements Callable<Integer> {
    protected final CliEnvironment environment;

    @Mixin
    protected LoggingOptions logging = new LoggingOptions();

    private volatile boolean debugEnabled;

    protected BaseCommand(CliEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    @SuppressWarnings("try") // the log set-up is held for its scope only
    public final Integer call() throws Exception {
        debugEnabled = logging.debug();
        prepare();
        debugEnabled = debug();
        Optional<Path> logFile = logFile().map(environment::resolve);
        try (LogSetup ignored = LogSetup.install(environment.err(), debug(), logFile)) {
            return execute();
        } finally {
            environment.out().flush();
        }
    }

    /** True when errors should carry their stack trace. */
    public boolean debugEnabled() {
        return debugEnabled;
    }

    /** Work before logging is set up, e.g. reading a config file that may turn debug on. */
    protected void prepare() throws UsageException {
    }

    protected boolean debug() {
        return logging.debug();
    }

    protected Optional<String> logFile() {
        return logging.logFile();
    }

    /** Runs the command; returns its exit code. */
    protected abstract int execute() throws Exception;
}
