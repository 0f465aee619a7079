package io.parcel.cli.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ExecutionException;

import io.parcel.spi.ExitCode;
import io.parcel.spi.ParcelException;
import io.parcel.spi.TransferException;
import io.parcel.spi.UsageException;
import io.parcel.spi.VerificationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailuresTest {
    @Test
    void exceptionsMapToTheDocumentedCodes() {
        assertEquals(2, Failures.exitCode(new UsageException("bad")));
        assertEquals(1, Failures.exitCode(new TransferException("refused", false)));
        assertEquals(1, Failures.exitCode(new VerificationException("md5 differs")));
        assertEquals(2, Failures.exitCode(new ParcelException("custom", ExitCode.USAGE, false)));
        assertEquals(1, Failures.exitCode(new IllegalStateException("bug")));
        assertEquals(1, Failures.exitCode(new IOException("disk")));
        assertEquals(2, Failures.exitCode(new ExecutionException(new UsageException("wrapped"))));
        assertEquals(2, Failures.exitCode(new java.io.UncheckedIOException(new UsageException("wrapped"))));
    }

    @Test
    void messagesAreOneLine() {
        assertEquals("bad option", Failures.message(new UsageException("bad option")));
        assertEquals("IllegalStateException: boom", Failures.message(new IllegalStateException("boom")));
        assertEquals("unexpected java.lang.NullPointerException", Failures.message(new NullPointerException()));
        assertEquals("first second", Failures.message(new UsageException("first\n  second")));
    }

    @Test
    void reportPrintsTheStackTraceOnlyWhenDebugging() {
        StringWriter quiet = new StringWriter();
        assertEquals(1, Failures.report(new IllegalStateException("boom"), false, new PrintWriter(quiet)));
        assertEquals("parcel: IllegalStateException: boom" + System.lineSeparator(), quiet.toString());

        StringWriter debug = new StringWriter();
        assertEquals(2, Failures.report(new UsageException("bad"), true, new PrintWriter(debug)));
        assertTrue(debug.toString().startsWith("parcel: bad" + System.lineSeparator()), debug.toString());
        assertTrue(debug.toString().contains("at io.parcel.cli.internal.FailuresTest"), debug.toString());
    }
}
