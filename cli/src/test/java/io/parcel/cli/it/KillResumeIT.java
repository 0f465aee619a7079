package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.AccessLogEntry;
import io.parcel.testsupport.nginx.NginxServer;

/**
 * {@code kill -9} in the middle of a download, then the same command again: it must finish, be byte-exact, and fetch
 * only what was not yet durably written (plus what was in flight: connections x segment).
 */
class KillResumeIT {
    private static final long MIB = 1024 * 1024;
    private static final long SIZE = 48 * MIB + 7;
    private static final int CONNECTIONS = 4;
    private static final long SEGMENT = MIB;
    private static final long RATE = 6 * MIB;
    private static final String NAME = "resumable.bin";
    private static final Pattern SINGLE_RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    @TempDir
    Path served;
    @TempDir
    Path work;

    @Test
    void aKilledDownloadResumesWhereItsJournalSaysAndFetchesOnlyTheRest() throws IOException, InterruptedException {
        TestData.writeFile(served.resolve(NAME), 51, SIZE);
        Path out = work.resolve("out");
        Path journal = out.resolve(NAME + ".partial.journal");
        try (NginxServer nginx = NginxServer.builder(served).start()) {
            String[] command = {"download", "-d", out.toString(), "-q", "-n", Integer.toString(CONNECTIONS),
                    "--segment-size", Long.toString(SEGMENT), "--limit-rate", Long.toString(RATE),
                    nginx.url("/" + NAME)};

            var first = DistProcess.start(work, "parcel", command);
            try {
                awaitJournalProgress(journal, first);
            }
            finally {
                first.kill();
            }
            assertFalse(Files.exists(out.resolve(NAME)), "finished before the kill: lower the rate");
            assertTrue(Files.exists(out.resolve(NAME + ".partial")), "no .partial after kill -9");
            List<AccessLogEntry> firstRun = settledAccessLog(nginx);

            var second = DistProcess.run(work, Duration.ofSeconds(90), command);

            assertEquals(0, second.exitCode(), second.describe());
            assertEquals(TestData.sha256Hex(51, SIZE), TestData.sha256Hex(out.resolve(NAME)), second.describe());
            Downloads.assertNoLeftovers(out, NAME);

            List<AccessLogEntry> all = nginx.accessLog();
            List<AccessLogEntry> secondRun = all.subList(firstRun.size(), all.size());
            // Each byte of the file once: the end game may halve the last slow range, and the victim's server had sent
            // the thief's half already (loopback); that is the end game's waste, not a byte the journal should have held.
            long secondBytes = distinctBytesSent(secondRun.stream().filter(KillResumeIT::isData).toList());
            // Requests of the first run that nginx finished were (nearly all) written by parcel before the kill;
            // at most one per connection may still have been in its socket buffer: that is the in-flight allowance.
            long firstCompleted = firstRun.stream()
                    .filter(KillResumeIT::isData)
                    .filter(entry -> entry.status() == 206 && entry.range().isPresent()
                            && entry.bodyBytesSent() == rangeLength(entry.range().get()))
                    .mapToLong(AccessLogEntry::bodyBytesSent)
                    .sum();
            long inFlight = CONNECTIONS * SEGMENT;
            String evidence = "first run: " + firstRun + "\nsecond run: " + secondRun;
            assertTrue(secondBytes <= SIZE - firstCompleted + inFlight, "the rerun fetched " + secondBytes
                    + " bytes; the first run had completed " + firstCompleted + " of " + SIZE + "\n" + evidence);
            assertTrue(secondBytes < SIZE - inFlight, "the rerun fetched " + secondBytes + " of " + SIZE
                    + " bytes: it did not resume\n" + evidence);
        }
    }

    /** Waits until the journal has recorded progress several times, so the kill lands well inside the transfer. */
    private static void awaitJournalProgress(Path journal, DistProcess running)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        byte[] last = null;
        int changes = 0;
        long firstChange = 0;
        while (System.nanoTime() < deadline && running.isAlive()) {
            if (Files.exists(journal)) {
                byte[] now = readQuietly(journal);
                if (now != null && now.length > 0 && !Arrays.equals(now, last)) {
                    last = now;
                    if (changes++ == 0) {
                        firstChange = System.nanoTime();
                    }
                }
                // 2 s at RATE is ~12 MiB: far more than the CONNECTIONS x SEGMENT that may be in flight.
                if (changes >= 2 && System.nanoTime() - firstChange > Duration.ofSeconds(2).toNanos()) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        fail("the journal " + journal + " showed no progress (" + changes + " changes) before "
                + (running.isAlive() ? "the deadline" : "parcel exited"));
    }

    private static byte[] readQuietly(Path file) {
        try {
            return Files.readAllBytes(file);
        }
        catch (IOException e) {
            // Replaced atomically between exists() and read: read it next round.
            return null;
        }
    }

    /** nginx logs a request cut by the kill once it notices; wait until the log stops growing. */
    private static List<AccessLogEntry> settledAccessLog(NginxServer nginx) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<AccessLogEntry> entries = nginx.accessLog();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            List<AccessLogEntry> now = nginx.accessLog();
            if (now.size() == entries.size()) {
                return now;
            }
            entries = now;
        }
        return entries;
    }

    /** Not a one-byte probe for the size ({@code Range: bytes=0-0}): those cost nothing and every run makes one. */
    private static boolean isData(AccessLogEntry entry) {
        return !entry.range().map(range -> range.strip().equals("bytes=0-0")).orElse(false);
    }

    /** The bytes of the file the entries' responses carried, each counted once however many responses carried it. */
    private static long distinctBytesSent(List<AccessLogEntry> entries) {
        List<long[]> sent = new ArrayList<>();
        for (AccessLogEntry entry : entries) {
            var matcher = SINGLE_RANGE.matcher(entry.range().orElse("").strip());
            long start = matcher.matches() ? Long.parseLong(matcher.group(1)) : 0;
            sent.add(new long[] {start, start + entry.bodyBytesSent()});
        }
        sent.sort(Comparator.comparingLong(range -> range[0]));
        long total = 0;
        long covered = 0;
        for (long[] range : sent) {
            long from = Math.max(range[0], covered);
            if (range[1] > from) {
                total += range[1] - from;
                covered = range[1];
            }
        }
        return total;
    }

    /** The length of a single-range header {@code bytes=a-b}, or -1 for any other form. */
    private static long rangeLength(String range) {
        var matcher = SINGLE_RANGE.matcher(range.strip());
        return matcher.matches() ? Long.parseLong(matcher.group(2)) - Long.parseLong(matcher.group(1)) + 1 : -1;
    }
}
