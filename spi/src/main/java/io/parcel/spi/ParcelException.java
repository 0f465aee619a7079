package io.parcel.spi;

import java.io.IOException;

import static java.util.Objects.requireNonNull;

/**
 * A failure with a meaning for the user: which exit code it maps to and whether trying again may help.
 * The message is one line that names what was expected, what was found and where.
 */
public class ParcelException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;
    private final boolean retryable;

    public ParcelException(String message, ExitCode exitCode, boolean retryable, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.exitCode = requireNonNull(exitCode, "exitCode is null");
        this.retryable = retryable;
    }

    public ParcelException(String message, ExitCode exitCode, boolean retryable) {
        this(message, exitCode, retryable, null);
    }

    /** Exit code the process should end with when this failure decides the outcome. */
    public ExitCode exitCode() {
        return exitCode;
    }

    /** True when the same operation may succeed if tried again (a dropped connection, a 503), false when it cannot (a 404, a full disk). */
    public boolean retryable() {
        return retryable;
    }
}
