package io.parcel.cli.internal;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.parcel.spi.ExitCode;
import io.parcel.spi.ParcelException;
import picocli.CommandLine;

import static java.util.Objects.requireNonNull;

/** Turns what went wrong into the documented exit code and the one line the user sees. */
public final class Failures {
    private Failures() {
    }

    /** 2 for bad usage, the exception's own code for a {@link ParcelException}, else 1. */
    public static int exitCode(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof ParcelException parcel) {
            return parcel.exitCode().code();
        }
        if (cause instanceof CommandLine.ParameterException) {
            return ExitCode.USAGE.code();
        }
        return ExitCode.FAILURE.code();
    }

    /** One line: the message of a failure we expected, or the type and message of one we did not. */
    public static String message(Throwable failure) {
        Throwable cause = unwrap(failure);
        String message = cause.getMessage();
        String text;
        if (cause instanceof ParcelException || cause instanceof CommandLine.ParameterException) {
            text = message;
        } else if (message == null || message.isBlank()) {
            text = "unexpected " + cause.getClass().getName();
        } else {
            text = cause.getClass().getSimpleName() + ": " + message;
        }
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /** Prints {@code parcel: <message>} (and the stack trace when {@code debug}) and returns the exit code. */
    public static int report(Throwable failure, boolean debug, PrintWriter err) {
        requireNonNull(failure, "failure is null");
        requireNonNull(err, "err is null");
        err.println("parcel: " + message(failure));
        if (debug) {
            failure.printStackTrace(err);
        }
        err.flush();
        return exitCode(failure);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable current = requireNonNull(failure, "failure is null");
        for (int depth = 0; depth < 10 && current.getCause() != null
                && (current instanceof ExecutionException || current instanceof CompletionException
                || current instanceof UncheckedIOException
                || current instanceof CommandLine.ExecutionException); depth++) {
            current = current.getCause();
        }
        return current;
    }
}
