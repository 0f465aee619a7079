package io.parcel.kernel.internal;

import java.util.Locale;

import io.parcel.spi.ParcelException;

/** Turns failures into the one-line reasons users see (plugin errors, a file's failure in the summary). */
final class Errors {
    private Errors() {
    }

    /**
     * The reason for a retry or a failure as a user reads it: a {@link ParcelException}'s own message (it was written
     * for users), else {@link #describe}.
     */
    static String reason(Throwable error) {
        if (error instanceof ParcelException && error.getMessage() != null) {
            return error.getMessage().replace('\n', ' ');
        }
        return describe(error);
    }

    /**
     * What a user reads while a failed attempt waits to be tried again, worded alike wherever it happens.
     *
     * @param attempt    the attempt that failed, from 1
     * @param attempts   how many attempts there are in all
     * @param delayNanos the wait before the next one
     */
    static String retryNotice(int attempt, int attempts, String reason, long delayNanos) {
        return String.format(Locale.ROOT, "attempt %d of %d failed (%s); trying again in %.1f s", attempt, attempts,
                reason, delayNanos / 1e9);
    }

    /** One line: each cause's type and message, outermost first. */
    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        // Bounded: a cause chain may loop.
        for (Throwable cause = error; cause != null && depth < 8; cause = cause.getCause(), depth++) {
            if (!text.isEmpty()) {
                text.append("; caused by ");
            }
            text.append(cause.getClass().getSimpleName());
            if (cause.getMessage() != null) {
                text.append(": ").append(cause.getMessage().replace('\n', ' '));
            }
        }
        return text.toString();
    }
}
