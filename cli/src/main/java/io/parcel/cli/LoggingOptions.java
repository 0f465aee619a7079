package io.parcel.cli;

import java.util.Optional;

import picocli.CommandLine.Option;

/**
 * {@code --debug} and {@code --log-file}, shared by every command as a picocli {@code @Mixin}. {@link Main} reads
 * {@link #debug()} to decide whether an error gets its stack trace.
 */
public final class LoggingOptions {
    @Option(names = "--debug", description = "Print stack traces and debug logs to standard error (and the log file).")
    private boolean debug;

    @Option(names = "--log-file", paramLabel = "FILE", description = "Also write a detailed log to FILE (appended).")
    private String logFile;

    public boolean debug() {
        return debug;
    }

    public Optional<String> logFile() {
        return Optional.ofNullable(logFile);
    }
}
