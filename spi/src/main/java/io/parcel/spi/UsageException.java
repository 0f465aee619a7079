package io.parcel.spi;

/** Bad input from the user: an option, a URL, a manifest, a config file. Exit code 2, never retried. */
public class UsageException extends ParcelException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, ExitCode.USAGE, false);
    }

    public UsageException(String message, Throwable cause) {
        super(message, ExitCode.USAGE, false, cause);
    }
}
