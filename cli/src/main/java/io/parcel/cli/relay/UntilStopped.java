package io.parcel.cli.relay;

import io.parcel.kernel.relay.RelayStatistics;
import io.parcel.spi.ExitCode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Keeps a server running until the shutdown signal, printing a status line now and then; on the signal closes it
 * (bounded by the server's own close timeout) and prints the totals before the process exits.
 */
final class UntilStopped {
    /** How long the shutdown hook waits for the command to print its totals after closing the server. */
    private static final Duration FINAL_REPORT_WAIT = Duration.ofSeconds(2);
    /** Wake-up period when status lines are off: the wait stays bounded per call. */
    private static final Duration QUIET_PERIOD = Duration.ofMinutes(1);

    private UntilStopped() {
    }

    @SuppressWarnings("try") // the registration is held for the scope only
    static int run(String name, AutoCloseable server, Supplier<RelayStatistics> statistics, Duration statusInterval,
                   RelayContext context, PrintWriter err) throws Exception {
        requireNonNull(server, "server is null");
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        Instant start = context.clock().instant();
        try (AutoCloseable registration = context.shutdown().onShutdown(() -> {
            close(server, err, name);
            stopped.countDown();
            try {
                reported.await(FINAL_REPORT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            boolean report = !statusInterval.isZero();
            Duration period = report ? statusInterval : QUIET_PERIOD;
            RelayStatistics last = statistics.get();
            while (!stopped.await(period.toMillis(), TimeUnit.MILLISECONDS)) {
                RelayStatistics now = statistics.get();
                if (report && !now.equals(last)) {
                    err.println("parcel " + name + ": " + now.statusLine());
                    err.flush();
                }
                last = now;
            }
            Duration uptime = Duration.between(start, context.clock().instant());
            err.println("parcel " + name + ": stopped after " + uptime.toSeconds() + " s; "
                    + statistics.get().statusLine());
            err.flush();
            return ExitCode.SUCCESS.code();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(server, err, name);
            return ExitCode.FAILURE.code();
        } finally {
            reported.countDown();
        }
    }

    private static void close(AutoCloseable server, PrintWriter err, String name) {
        try {
            server.close();
        } catch (Exception e) {
            err.println("parcel " + name + ": closing failed: " + e);
            err.flush();
        }
    }
}
