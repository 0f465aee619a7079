package io.parcel.cli.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.parcel.spi.UsageException;

import static java.util.Objects.requireNonNull;

/**
 * Routes the JDK's logging (where {@link System.Logger}, used by the kernel and the plugins, ends up) for one command:
 * warnings, or with {@code --debug} everything, to standard error as one line each; with {@code --log-file} a detailed
 * log to a file. {@link #close()} restores what was there before, so commands run in-process in tests do not leak
 * handlers into each other.
 */
public final class LogSetup implements AutoCloseable {
    /**
     * Guards the root logger, which is global: commands running in one JVM at once (tests run a perf server and
     * client side by side) each add their handlers; the JDK's default handlers are set aside while any is active.
     */
    private static final Object LOCK = new Object();
    /** Logger name prefixes whose debug records stay out (see {@link #notLibraryDetail}). */
    private static final List<String> LIBRARY_LOGGERS = List.of("com.google.", "java.", "javax.", "jdk.", "sun.");
    private static final List<LogSetup> ACTIVE = new ArrayList<>();
    private static List<Handler> setAside = List.of();
    private static Level levelBefore;

    private final Level level;
    private final List<Handler> handlers;

    private LogSetup(Level level, List<Handler> handlers) {
        this.level = level;
        this.handlers = handlers;
    }

    public static LogSetup install(PrintWriter err, boolean debug, Optional<Path> logFile) throws UsageException {
        requireNonNull(err, "err is null");
        requireNonNull(logFile, "logFile is null");
        Handler console = new WriterHandler(err, new OneLineFormatter(false, debug));
        console.setLevel(debug ? Level.FINE : Level.WARNING);
        console.setFilter(LogSetup::notLibraryDetail);
        Handler file = null;
        if (logFile.isPresent()) {
            try {
                Path path = logFile.get().toAbsolutePath();
                Files.createDirectories(path.getParent());
                file = new FileHandler(path.toString(), true);
                file.setFormatter(new OneLineFormatter(true, true));
                file.setLevel(Level.FINE);
                file.setFilter(LogSetup::notLibraryDetail);
            } catch (IOException | RuntimeException e) {
                throw new UsageException("cannot write log file " + logFile.get() + ": " + e.getMessage(), e);
            }
        }
        LogSetup setup = new LogSetup(debug || file != null ? Level.FINE : Level.WARNING,
                file == null ? List.of(console) : List.of(console, file));
        synchronized (LOCK) {
            Logger root = root();
            if (ACTIVE.isEmpty()) {
                setAside = List.of(root.getHandlers());
                levelBefore = root.getLevel();
                setAside.forEach(root::removeHandler);
            }
            ACTIVE.add(setup);
            setup.handlers.forEach(root::addHandler);
            root.setLevel(lowestLevel());
        }
        return setup;
    }

    /**
     * Guice's debug records (its start-up timings, the stack trace of a bytecode optimisation it cannot use on this
     * JDK) and the JDK's own (a stack trace of {@code Runtime.exit} at every SIGTERM of {@code serve}) are about the
     * libraries, not about a transfer; they would bury Parcel's own debug lines.
     */
    private static boolean notLibraryDetail(java.util.logging.LogRecord record) {
        String name = record.getLoggerName();
        if (record.getLevel().intValue() >= Level.INFO.intValue() || name == null) {
            return true;
        }
        for (String library : LIBRARY_LOGGERS) {
            if (name.startsWith(library)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            if (!ACTIVE.remove(this)) {
                return;
            }
            Logger root = root();
            handlers.forEach(root::removeHandler);
            if (ACTIVE.isEmpty()) {
                setAside.forEach(root::addHandler);
                setAside = List.of();
                root.setLevel(levelBefore);
            } else {
                root.setLevel(lowestLevel());
            }
        }
        handlers.forEach(Handler::close);
    }

    private static Logger root() {
        return LogManager.getLogManager().getLogger("");
    }

    private static Level lowestLevel() {
        Level lowest = Level.OFF;
        for (LogSetup setup : ACTIVE) {
            if (setup.level.intValue() < lowest.intValue()) {
                lowest = setup.level;
            }
        }
        return lowest;
    }

    /** A handler onto a writer it does not own: close only flushes. */
    private static final class WriterHandler extends Handler {
        private final PrintWriter writer;

        WriterHandler(PrintWriter writer, Formatter formatter) {
            this.writer = writer;
            setFormatter(formatter);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            if (isLoggable(record)) {
                writer.print(getFormatter().format(record));
                writer.flush();
            }
        }

        @Override
        public void flush() {
            writer.flush();
        }

        @Override
        public void close() {
            writer.flush();
        }
    }

    private static final class OneLineFormatter extends Formatter {
        private final boolean detailed;
        private final boolean stackTraces;

        OneLineFormatter(boolean detailed, boolean stackTraces) {
            this.detailed = detailed;
            this.stackTraces = stackTraces;
        }

        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder();
            if (detailed) {
                line.append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                        .append(record.getLevel().getName()).append(' ')
                        .append(Thread.currentThread().getName()).append(' ')
                        .append(record.getLoggerName()).append(": ");
            } else {
                line.append("parcel: ");
                if (record.getLevel().intValue() < Level.SEVERE.intValue()) {
                    line.append(record.getLevel().intValue() >= Level.WARNING.intValue()
                            ? "warning: " : "debug: ");
                }
            }
            line.append(formatMessage(record)).append(System.lineSeparator());
            if (stackTraces && record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }
}
