package io.parcel.cli.internal.progress;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;

import io.parcel.kernel.FileStatus;
import io.parcel.spi.ExitCode;
import org.junit.jupiter.api.Test;

import static io.parcel.cli.internal.progress.Snapshots.MIB;
import static io.parcel.cli.internal.progress.Snapshots.SECOND;
import static io.parcel.cli.internal.progress.Snapshots.RETRY;
import static io.parcel.cli.internal.progress.Snapshots.describeThenRetry;
import static io.parcel.cli.internal.progress.Snapshots.describing;
import static io.parcel.cli.internal.progress.Snapshots.done;
import static io.parcel.cli.internal.progress.Snapshots.failed;
import static io.parcel.cli.internal.progress.Snapshots.pending;
import static io.parcel.cli.internal.progress.Snapshots.report;
import static io.parcel.cli.internal.progress.Snapshots.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlainViewTest {
    private final StringWriter text = new StringWriter();
    private final PlainView view = new PlainView(new PrintWriter(text));

    @Test
    void printsChangesAtOnceAndProgressEveryFewSeconds() {
        long t0 = 1_000 * SECOND;
        view.update(List.of(running("a.bin", 100 * MIB, 0, 0, 8, 0), pending("b.bin")), t0);
        view.update(List.of(running("a.bin", 100 * MIB, 10 * MIB, 10 * MIB, 8, 1)), t0 + SECOND);
        view.update(List.of(running("a.bin", 100 * MIB, 40 * MIB, 40 * MIB, 8, 4)), t0 + 4 * SECOND);
        view.update(List.of(running("a.bin", 100 * MIB, 50 * MIB, 50 * MIB, 7, 5)), t0 + 5 * SECOND);
        view.update(List.of(running("a.bin", 100 * MIB, 60 * MIB, 60 * MIB, 7, 6)), t0 + 6 * SECOND);
        view.update(List.of(done("a.bin", 100 * MIB, 10), failed("b.bin", "HTTP 404 from http://host/b.bin")),
                t0 + 10 * SECOND);

        assertEquals(List.of(
                "[    0.0s] a.bin: downloading 100.0 MiB to /data/a.bin",
                "[    5.0s] a.bin: 50.0 MiB of 100.0 MiB (50%), 10.0 MiB/s, ETA 5.0s, 7 connections",
                "[   10.0s] a.bin: done, 100.0 MiB in 10.0s (10.0 MiB/s)",
                "[   10.0s] b.bin: failed: HTTP 404 from http://host/b.bin"), text.toString().lines().toList());
    }

    @Test
    void aResumeSaysHowMuchAnEarlierRunLeft() {
        view.update(List.of(running("a.bin", 100 * MIB, 30 * MIB, 4 * MIB, 8, 1)), 0);
        assertEquals("[    0.0s] a.bin: downloading 100.0 MiB (resuming: 26.0 MiB from an earlier run) to /data/a.bin",
                text.toString().strip());
    }

    @Test
    void finishPrintsTheSummaryTable() {
        view.finish(report(ExitCode.FAILURE, 10, done("a.bin", 100 * MIB, 10), failed("b.bin", "HTTP 404")),
                5 * SECOND);
        List<String> lines = text.toString().lines().toList();
        assertEquals(List.of(
                "[    0.0s] a.bin: done, 100.0 MiB in 10.0s (10.0 MiB/s)",
                "[    0.0s] b.bin: failed: HTTP 404",
                "",
                "NAME        SIZE   TIME        RATE  RESULT",
                "a.bin  100.0 MiB  10.0s  10.0 MiB/s  DONE",
                "b.bin          -   0.3s           -  FAILED: HTTP 404",
                "2 files: 1 done, 0 skipped, 1 failed; 100.0 MiB received in 10.0s (10.0 MiB/s)"), lines);
    }

    @Test
    void eachFailedAttemptToReachAFileIsALineOnce() {
        describeThenRetry(view);
        view.update(List.of(describing("a.bin", RETRY.replace("attempt 1", "attempt 2"), 61, 2)), 61 * SECOND);

        assertEquals(List.of(
                "[   30.0s] http://host/a.bin: " + RETRY,
                "[   61.0s] http://host/a.bin: " + RETRY.replace("attempt 1", "attempt 2") + " (2 retries so far)"),
                text.toString().lines().toList());
    }

    @Test
    void aRangeRetriedWhileRunningIsALineOnceAfterTheFileSaysItRuns() {
        String broke = "from byte 1310720: attempt 1 of 6 failed (connection closed); trying again in 0.2 s";
        FileStatus started = running("a.bin", 8 * MIB, MIB, MIB, 3, 0);
        view.update(List.of(withRetry(started, broke, 1)), 0);
        view.update(List.of(withRetry(running("a.bin", 8 * MIB, 2 * MIB, 2 * MIB, 3, 0), broke, 1)), SECOND / 5);
        view.update(List.of(running("a.bin", 8 * MIB, 3 * MIB, 3 * MIB, 4, 0)), 2 * SECOND / 5);

        assertEquals(List.of(
                "[    0.0s] a.bin: downloading 8.0 MiB to /data/a.bin",
                "[    0.0s] a.bin: " + broke), text.toString().lines().toList());
    }

    @Test
    void retriesComeAtMostOneLineEveryFiveSecondsWithTheCountSoFarAndTheSummaryCountsThem() {
        FileStatus file = running("a.bin", 8 * MIB, MIB, MIB, 8, 0);
        String cut = "from byte %d: attempt 1 of 6 failed (connection closed); trying again in 0.2 s";
        view.update(List.of(withRetry(file, String.format(cut, 1), 1)), 0);
        view.update(List.of(withRetry(file, String.format(cut, 2), 3)), SECOND);
        view.update(List.of(withRetry(file, String.format(cut, 3), 9)), 4 * SECOND);
        view.update(List.of(withRetry(file, String.format(cut, 4), 12)), 5 * SECOND);
        view.update(List.of(withRetry(file, String.format(cut, 5), 13)), 6 * SECOND);
        view.finish(report(ExitCode.SUCCESS, 20, done("a.bin", 8 * MIB, 20, 13)), 20 * SECOND);

        List<String> lines = text.toString().lines().toList();
        assertEquals(List.of(
                "[    0.0s] a.bin: downloading 8.0 MiB to /data/a.bin",
                "[    0.0s] a.bin: " + String.format(cut, 1),
                "[    5.0s] a.bin: " + String.format(cut, 4) + " (12 retries so far)"), lines.subList(0, 3));
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("a.bin ") && line.endsWith("  DONE after 13 retries")),
                text.toString());
    }

    private static FileStatus withRetry(FileStatus file, String retrying, int retries) {
        return new FileStatus(file.locator(), file.name(), file.location(), file.size(), file.doneBytes(),
                file.transferredBytes(), file.activeConnections(), file.state(), file.elapsed(), file.error(),
                Optional.of(retrying), retries);
    }
}
