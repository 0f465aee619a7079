package io.parcel.cli.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@SuppressWarnings("try") // the log set-up is held for its scope only
class LogSetupTest {
    private static final System.Logger LOG = System.getLogger("io.parcel.test.LogSetupTest");

    @TempDir
    Path directory;

    @Test
    void warningsGoToStandardErrorAndEverythingToTheLogFile() throws Exception {
        StringWriter err = new StringWriter();
        Path logFile = directory.resolve("logs/parcel.log");
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        int handlersBefore = root.getHandlers().length;
        try (LogSetup ignored = LogSetup.install(new PrintWriter(err), false, Optional.of(logFile))) {
            LOG.log(System.Logger.Level.INFO, "loaded plugin tcp");
            LOG.log(System.Logger.Level.WARNING, "slow server");
        }
        assertEquals("parcel: warning: slow server" + System.lineSeparator(), err.toString());
        String log = Files.readString(logFile);
        assertTrue(log.contains("INFO") && log.contains("loaded plugin tcp"), log);
        assertTrue(log.contains("slow server"), log);
        assertEquals(handlersBefore, root.getHandlers().length, "close restores the handlers");
    }

    @Test
    void debugShowsDetailsOnStandardError() throws Exception {
        StringWriter err = new StringWriter();
        try (LogSetup ignored = LogSetup.install(new PrintWriter(err), true, Optional.empty())) {
            LOG.log(System.Logger.Level.DEBUG, "range [0, 10) done");
            LOG.log(System.Logger.Level.ERROR, "failed", new IllegalStateException("boom"));
        }
        assertTrue(err.toString().startsWith("parcel: debug: range [0, 10) done" + System.lineSeparator()
                + "parcel: failed" + System.lineSeparator() + "java.lang.IllegalStateException: boom"), err.toString());
        StringWriter quiet = new StringWriter();
        try (LogSetup ignored = LogSetup.install(new PrintWriter(quiet), false, Optional.empty())) {
            LOG.log(System.Logger.Level.DEBUG, "hidden");
        }
        assertFalse(quiet.toString().contains("hidden"));
    }

    @Test
    void librariesDebugRecordsStayOutButTheirWarningsShow() throws Exception {
        System.Logger guice = System.getLogger("com.google.inject.internal.util.ContinuousStopwatch");
        System.Logger runtime = System.getLogger("java.lang.Runtime");
        StringWriter err = new StringWriter();
        Path logFile = directory.resolve("debug.log");
        try (LogSetup ignored = LogSetup.install(new PrintWriter(err), true, Optional.of(logFile))) {
            guice.log(System.Logger.Level.DEBUG, "Module execution: 79ms");
            runtime.log(System.Logger.Level.DEBUG, "Runtime.exit() called with status: 143", new Throwable("exit"));
            guice.log(System.Logger.Level.WARNING, "an injector problem");
            LOG.log(System.Logger.Level.DEBUG, "range [0, 10) done");
        }
        String log = Files.readString(logFile);
        for (String output : new String[] {err.toString(), log}) {
            assertFalse(output.contains("Module execution"), output);
            assertFalse(output.contains("Runtime.exit"), output);
            assertTrue(output.contains("an injector problem"), output);
            assertTrue(output.contains("range [0, 10) done"), output);
        }
    }

    @Test
    void setupsThatOverlapKeepTheirOwnHandlers() throws Exception {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.List<java.util.logging.Handler> before = java.util.List.of(root.getHandlers());
        StringWriter first = new StringWriter();
        StringWriter second = new StringWriter();
        LogSetup one = LogSetup.install(new PrintWriter(first), false, Optional.empty());
        LogSetup two = LogSetup.install(new PrintWriter(second), true, Optional.empty());
        one.close();
        LOG.log(System.Logger.Level.DEBUG, "after the first closed");
        two.close();
        two.close();
        assertEquals("", first.toString());
        assertTrue(second.toString().contains("after the first closed"), second.toString());
        assertEquals(before, java.util.List.of(root.getHandlers()));
    }
}
