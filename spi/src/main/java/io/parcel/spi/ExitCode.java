package io.parcel.spi;

/**
 * The documented process exit codes. Every failure maps to one of these; nothing that failed exits {@link #SUCCESS}.
 */
public enum ExitCode {
    /** Everything asked for was done (and verified, where verification applies). */
    SUCCESS(0),
    /** At least one transfer failed, or verification failed. */
    FAILURE(1),
    /** Bad command line, configuration, plugin set-up or input file: nothing was attempted. */
    USAGE(2);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
