package io.parcel.testsupport;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** A {@link System.Logger} that keeps every line at every level, so a test can assert what was logged (and what never was). */
public final class RecordingLogger implements System.Logger {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public String getName() {
        return "recording";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, Supplier<String> message) {
        lines.add(level + " " + message.get());
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        lines.add(level + " " + message + (thrown == null ? "" : " " + thrown));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        lines.add(level + " " + (params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
    }

    /** Every line so far, each "LEVEL message". */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public boolean any(Predicate<String> test) {
        return lines.stream().anyMatch(test);
    }

    /** Waits (bounded) for a line matching {@code test}, for lines logged by other threads. */
    public boolean await(Predicate<String> test, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (any(test)) {
                return true;
            }
            Thread.sleep(10);
        }
        return any(test);
    }

    public String joined() {
        return String.join("\n", lines);
    }
}
