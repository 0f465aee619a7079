package io.parcel.kernel.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parcel.kernel.Download;
import io.parcel.kernel.DownloadItem;
import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.DownloadRequest;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;
import io.parcel.spi.ByteRange;
import io.parcel.spi.ExitCode;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The download pipeline end to end inside the kernel, over an in-memory source and sink. */
class DownloadPipelineTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final PipelineTuning FAST = new PipelineTuning(Duration.ofMillis(5), Duration.ofMillis(40),
            128 * KIB, 96 * KIB, Duration.ofSeconds(2), 16 * KIB);

    private final InMemorySource source = new InMemorySource();
    private final InMemorySink sink = new InMemorySink();
    private final InMemoryPlugin plugin = new InMemoryPlugin(source, sink);
    private DefaultKernel kernel;

    @BeforeEach
    void startKernel() throws Exception {
        kernel = kernelTunedBy(FAST);
    }

    /** A kernel with only the in-memory test plugin, tuned by {@code tuning}. */
    private DefaultKernel kernelTunedBy(PipelineTuning tuning) throws UsageException {
        return DefaultKernel.start(List.of(new LoadedPlugin(plugin, getClass().getClassLoader(), "test", "test",
                "test plugin")), List.of(), Clock.systemUTC(), tuning);
    }

    @AfterEach
    void nothingLeaks() throws Exception {
        kernel.close();
        assertEquals(0, source.openStreams(), "streams left open");
        assertEquals(List.of(), sink.violations());
        for (InMemorySink.InMemoryDestination destination : sink.opened()) {
            assertTrue(destination.isClosed(), "destination left open: " + destination.location());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!pipelineThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), pipelineThreads(), "threads left running");
    }

    private static List<String> pipelineThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("parcel-download") || name.startsWith("parcel-files")).toList();
    }

    private static Options options(String... pairs) {
        Map<String, String> values = new HashMap<>(Map.of("transport", "memory", "source", "memory", "sink", "memory",
                "segment-size", "64K", "connections", "4", "timeout", "5s", "retries", "3"));
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return Options.of(values);
    }

    private DownloadReport run(Options options, DownloadItem... items) throws Exception {
        try (Download download = kernel.startDownload(new DownloadRequest(List.of(items), options))) {
            return download.await(Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("download did not end"));
        }
    }

    private void assertStoredCorrectly(String name, long size) {
        InMemorySink.StoredFile file = sink.file(name);
        assertTrue(file.complete(), name + " not committed");
        assertArrayEquals(InMemorySource.bytes(size), file.data(size), name + " has wrong bytes");
        long written = file.writes().stream().mapToLong(ByteRange::length).sum();
        assertEquals(SegmentSchedulerTest.union(file.writes()).stream().mapToLong(ByteRange::length).sum(), written,
                "some byte of " + name + " was written twice");
    }

    private static FileStatus only(DownloadReport report) {
        assertEquals(1, report.files().size());
        return report.files().get(0);
    }

    @Test
    void downloadsSeveralFilesInParallelWithEveryByteRight() throws Exception {
        source.add("empty", 0).add("tiny", 1).add("big", 3 * MIB + 123).add("mid", 700 * KIB + 5);

        DownloadReport report = run(options("parallel-files", "2"), DownloadItem.of("empty"), DownloadItem.of("tiny"),
                DownloadItem.of("big"), DownloadItem.of("mid"), DownloadItem.of("big"));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        assertEquals(List.of("empty", "tiny", "big", "mid"), report.files().stream().map(FileStatus::locator).toList(),
                "request order, duplicates once");
        for (FileStatus file : report.files()) {
            assertEquals(FileState.DONE, file.state(), file.toString());
            assertEquals(file.size(), file.doneBytes());
            assertEquals(file.size(), file.transferredBytes());
            assertEquals(0, file.activeConnections());
            assertEquals(Optional.of("memory:/" + file.name()), file.location());
            assertStoredCorrectly(file.name(), file.size());
        }
        assertTrue(source.opens("big").size() > 1, "a big file is fetched over several connections");
        assertTrue(source.isClosed());
        assertTrue(sink.isClosed());
        assertEquals(1, plugin.transportsClosed.get());
    }

    /**
     * The file's thread, woken by each connection as it ended, looked whether that connection's thread was still
     * alive; a moment before it is gone it was, and the file then waited its whole check interval (1 s) for a wake
     * that had already come. The bound here is the check interval less a margin, not a speed claim.
     */
    @Test
    void aFileEndsWhenItsLastConnectionDoesNotACheckIntervalLater() throws Exception {
        List<DownloadItem> items = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            source.add("f" + i, 300 * KIB + i);
            items.add(DownloadItem.of("f" + i));
        }

        DownloadReport report = run(options("parallel-files", "1"), items.toArray(DownloadItem[]::new));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        List<Long> millis = report.files().stream().map(file -> file.elapsed().toMillis()).toList();
        assertTrue(millis.stream().allMatch(ms -> ms < 700), "milliseconds per file: " + millis);
    }

    @Test
    void smallFilesShareTheConnectionsSideBySide() throws Exception {
        List<DownloadItem> items = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // one connection each (below the minimum split), a quarter of a second each
            source.add("s" + i, 100 * KIB + i).throttle("s" + i, 0, 400 * KIB, 1);
            items.add(DownloadItem.of("s" + i));
        }

        DownloadReport report = run(options(), items.toArray(DownloadItem[]::new));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        for (FileStatus file : report.files()) {
            assertEquals(FileState.DONE, file.state(), file.toString());
            assertStoredCorrectly(file.name(), file.size());
        }
        assertTrue(source.mostOpenStreams() > 1, "the files ran one at a time");
        assertTrue(source.mostOpenStreams() <= 4, "more than --connections at once: " + source.mostOpenStreams());
    }

    @Test
    void aLargeFileTakesEveryConnectionAsTheFilesBeforeItEnd() throws Exception {
        source.add("a", 100 * KIB).throttle("a", 0, 200 * KIB, 1);
        source.add("b", 100 * KIB).throttle("b", 0, 300 * KIB, 1);
        source.add("big", 2 * MIB);
        for (long start = 0; start < 2 * MIB; start += 256 * KIB) {
            source.throttle("big", start, 1 * MIB, 1);
        }

        DownloadReport report = run(options("segment-size", "256K"), DownloadItem.of("a"), DownloadItem.of("b"),
                DownloadItem.of("big"), DownloadItem.of("c"));

        assertEquals(List.of(FileState.DONE, FileState.DONE, FileState.DONE, FileState.FAILED),
                report.files().stream().map(FileStatus::state).toList(), report.toString());
        assertStoredCorrectly("big", 2 * MIB);
        // it started beside a and b with what they left free, and took theirs as they ended
        assertEquals(4, source.mostOpenStreams("big"), "the large file's connections");
        assertTrue(source.mostOpenStreams() <= 4, "more than --connections at once: " + source.mostOpenStreams());
    }

    @Test
    void withParallelFilesEachFileHasConnectionsOfItsOwn() throws Exception {
        for (String name : List.of("x", "y")) {
            source.add(name, 1 * MIB);
            for (long start = 0; start < MIB; start += 256 * KIB) {
                source.throttle(name, start, 512 * KIB, 1);
            }
        }

        DownloadReport report = run(options("parallel-files", "2", "segment-size", "256K"), DownloadItem.of("x"),
                DownloadItem.of("y"));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        assertTrue(source.mostOpenStreams() > 4, "two files of four connections each: " + source.mostOpenStreams());
    }

    @Test
    void aFileThatCouldUseMoreConnectionsStopsWhenTheDownloadIsCancelled() throws Exception {
        source.add("stuck", 100 * KIB).stallAt("stuck", 64 * KIB, 1);
        source.add("big", 1 * MIB).throttle("big", 0, 64 * KIB, 1);
        Download download = kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("stuck"),
                DownloadItem.of("big")), options("connections", "2", "segment-size", "0", "timeout", "60s")));
        try {
            // big runs on the one connection stuck left free, and waits for the other
            waitFor(() -> download.status().get(0).transferredBytes() == 64 * KIB
                    && download.status().get(1).transferredBytes() > 0);
            assertEquals(1, source.mostOpenStreams("big"));

            download.cancel();
            DownloadReport report = download.await(Duration.ofSeconds(10))
                    .orElseThrow(() -> new AssertionError("cancel did not stop it"));

            assertEquals(List.of(Optional.of("cancelled"), Optional.of("cancelled")),
                    report.files().stream().map(FileStatus::error).toList(), report.toString());
            assertTrue(source.mostOpenStreams() <= 2, "more than --connections at once: " + source.mostOpenStreams());
        } finally {
            download.close();
        }
    }

    @Test
    void theSourceMayOpenTheRangeConnectionsWhileItDescribes() throws Exception {
        source.add("big", 40L * MIB).add("small", 1000);

        // one file at a time: files sharing the connections prepare no more than are free
        DownloadReport report = run(options("connections", "4", "parallel-files", "1"), DownloadItem.of("big"),
                new DownloadItem("small", Optional.empty(), Optional.of(1000L), Optional.empty()));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        // besides the describe's own connection; a file the manifest says is small needs no more
        assertEquals(java.util.Set.of("big=3", "small=0"), java.util.Set.copyOf(source.prepared()));
    }

    @Test
    void automaticSegmentsGiveEachConnectionOneRequestUntilTheTail() throws Exception {
        source.add("one", 40L * MIB + 7);

        DownloadReport report = run(options("segment-size", "0", "connections", "1"), DownloadItem.of("one"));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        assertStoredCorrectly("one", 40L * MIB + 7);
        // 16 MiB pieces would have cost three requests, each on a new connection that starts slow again.
        assertEquals(List.of(new ByteRange(0, 40L * MIB + 7)),
                source.opens("one").stream().map(InMemorySource.Open::range).toList());
    }

    @Test
    void automaticSegmentSizeSplitsEvenlyAndNeverBelowSixteenMebibytes() throws Exception {
        DownloadSettings automatic = DownloadSettings.from(Options.of(Map.of("segment-size", "0")));
        assertEquals(128L * MIB, automatic.segmentSizeFor(1024L * MIB, 8));
        assertEquals(128L * MIB + 64 * KIB, automatic.segmentSizeFor(1024L * MIB + 1, 8), "aligned up to 64 KiB");
        assertEquals(16L * MIB, automatic.segmentSizeFor(20L * MIB, 8));
        assertEquals(16L * MIB, automatic.segmentSizeFor(0, 8));
        DownloadSettings fixed = DownloadSettings.from(Options.of(Map.of("segment-size", "1M")));
        assertEquals(MIB, fixed.segmentSizeFor(1024L * MIB, 8), "a size the user gave is kept");
        assertThrows(UsageException.class, () -> DownloadSettings.from(Options.of(Map.of("segment-size", "1K"))));
    }

    @Test
    void stalledConnectionsRangeIsStolenAndTheFileStillFinishes() throws Exception {
        long size = 2 * MIB;
        source.add("slow", size).stallAt("slow", 32 * KIB, 1);

        DownloadReport report = run(options("segment-size", "1M", "connections", "4", "timeout", "1s"),
                DownloadItem.of("slow"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertStoredCorrectly("slow", size);
        InMemorySource.Open stalled = source.opens("slow").get(0).range().start() == 0
                ? source.opens("slow").get(0)
                : source.opens("slow").stream().filter(open -> open.range().start() == 0).findFirst().orElseThrow();
        assertEquals(32 * KIB, stalled.served().get(), "the stalled stream gave only what came before the stall");
        // Idle connections took over most of the stalled first segment [0, 1 MiB) instead of waiting for it.
        long stolen = source.opens("slow").stream()
                .filter(open -> open.range().start() > 32 * KIB && open.range().start() < MIB)
                .mapToLong(open -> open.served().get()).sum();
        assertTrue(stolen >= MIB - 32 * KIB - FAST.minSplit(), "stolen from the stalled segment: " + stolen);
    }

    @Test
    void slowStreamBelowTheMinimumSplitIsHalvedForIdleConnectionsInTheEndGame() throws Exception {
        // Production's 1 MiB minimum split: a 1 MiB segment is below it as soon as its first bytes arrive.
        PipelineTuning tuning = new PipelineTuning(Duration.ofMillis(5), Duration.ofMillis(40), MIB, 96 * KIB,
                Duration.ofSeconds(2), 16 * KIB);
        long size = 2 * MIB;
        source.add("tail", size).throttle("tail", 0, 64 * KIB, 1);   // the first segment needs 16 s at this rate
        try (DefaultKernel endGame = kernelTunedBy(tuning);
             Download download = endGame.startDownload(new DownloadRequest(List.of(DownloadItem.of("tail")),
                     options("segment-size", "1M", "connections", "2")))) {
            DownloadReport report = download.await(Duration.ofSeconds(60)).orElseThrow();

            assertEquals(FileState.DONE, only(report).state(), report.toString());
        }
        assertStoredCorrectly("tail", size);
        InMemorySource.Open slow = source.opens("tail").stream().filter(open -> open.range().start() == 0)
                .findFirst().orElseThrow();
        // Watched for half a second, then halved until what is left takes it under a second: a few hundred KiB.
        // Without the end game it served 512 KiB (one steal at its very start, when it still had 1 MiB left).
        assertTrue(slow.served().get() < 384 * KIB, "the slow stream served " + slow.served().get());
        assertTrue(source.opens("tail").size() >= 4, "opens: " + source.opens("tail"));
    }

    @Test
    void readThatIgnoresTheTimeoutIsCutByTheWatchdogAndRetried() throws Exception {
        long size = 300 * KIB;
        source.add("hung", size).hangAt("hung", 50 * KIB, 1);

        long startNanos = System.nanoTime();
        DownloadReport report = run(options("connections", "1", "segment-size", "1M", "timeout", "200ms"),
                DownloadItem.of("hung"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertStoredCorrectly("hung", size);
        assertEquals(List.of(new ByteRange(0, size), new ByteRange(50 * KIB, size)), source.openedRanges("hung"));
        assertTrue(System.nanoTime() - startNanos < Duration.ofSeconds(20).toNanos(), "the hang was not cut");
    }

    @Test
    void transientFailureIsRetriedAndResumesWhereTheStreamBroke() throws Exception {
        long size = 512 * KIB;
        long cut = 100_000;
        source.add("flaky", size).cutAt("flaky", cut, 1).failOpen("flaky", 300_000, 2, true);

        DownloadReport report = run(options("segment-size", "256K", "connections", "1"), DownloadItem.of("flaky"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertStoredCorrectly("flaky", size);
        assertEquals(size, only(report).transferredBytes(), "nothing fetched twice");
        List<ByteRange> ranges = source.openedRanges("flaky");
        assertTrue(ranges.contains(new ByteRange(cut, 256 * KIB)), "resumed at the first missing byte: " + ranges);
        assertEquals(3, ranges.stream().filter(range -> range.start() == 256 * KIB).count(),
                "two failed opens, then one that worked: " + ranges);
    }

    @Test
    void transientFailuresPastTheRetryBudgetFailTheFile() throws Exception {
        source.add("broken", 200 * KIB).failOpen("broken", 0, Integer.MAX_VALUE, true);

        DownloadReport report = run(options("retries", "2", "connections", "1"), DownloadItem.of("broken"));

        FileStatus file = only(report);
        assertEquals(FileState.FAILED, file.state());
        assertEquals(ExitCode.FAILURE, report.exitCode());
        assertTrue(file.error().orElseThrow().contains("failed 3 times"), file.error().orElseThrow());
        assertEquals(3, source.opens("broken").stream().filter(open -> open.range().start() == 0).count());
    }

    @Test
    void progressResetsTheRetryCount() throws Exception {
        long size = 256 * KIB;
        // Four breaks, each after progress: with one retry per range without progress the file still finishes.
        source.add("bumpy", size).cutAt("bumpy", 10_000, 1).cutAt("bumpy", 20_000, 1).cutAt("bumpy", 30_000, 1)
                .cutAt("bumpy", 40_000, 1);

        DownloadReport report = run(options("retries", "1", "connections", "1", "segment-size", "256K"),
                DownloadItem.of("bumpy"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertStoredCorrectly("bumpy", size);
    }

    @Test
    void inputTheSourceCannotServeIsAUsageErrorWhenNothingMoved() throws Exception {
        DownloadReport report = run(options(), DownloadItem.of("ftp://example.org/a.bin"));

        assertEquals(FileState.FAILED, only(report).state());
        assertEquals(ExitCode.USAGE, report.exitCode(), report.toString());
    }

    @Test
    void aUsageFailureBesideATransferFailureIsStillAFailure() throws Exception {
        source.add("bad", 100 * KIB).failOpen("bad", 0, Integer.MAX_VALUE, false);

        DownloadReport report = run(options(), DownloadItem.of("ftp://example.org/a.bin"), DownloadItem.of("bad"));

        assertEquals(ExitCode.FAILURE, report.exitCode(), report.toString());
    }

    @Test
    void nonRetryableFailureFailsOnlyThatFile() throws Exception {
        source.add("good", 900 * KIB).add("bad", 900 * KIB).failOpen("bad", 600 * KIB, 1, false);

        DownloadReport report = run(options("parallel-files", "2"), DownloadItem.of("good"), DownloadItem.of("bad"));

        assertEquals(ExitCode.FAILURE, report.exitCode());
        assertEquals(FileState.DONE, report.files().get(0).state());
        assertStoredCorrectly("good", 900 * KIB);
        FileStatus bad = report.files().get(1);
        assertEquals(FileState.FAILED, bad.state());
        assertTrue(bad.error().orElseThrow().contains("injected failure"), bad.error().orElseThrow());
        assertFalse(sink.file("bad").complete());
        // What the other connections wrote before they stopped is in the journal, for a resume.
        assertEquals(bad.doneBytes(), sink.file("bad").journal().stream().mapToLong(ByteRange::length).sum());
    }

    @Test
    void alreadyCompleteFileIsSkipped() throws Exception {
        source.add("there", 300 * KIB);
        sink.file("there", 300 * KIB).markComplete(300 * KIB);

        DownloadReport report = run(options(), DownloadItem.of("there"));

        assertEquals(ExitCode.SUCCESS, report.exitCode());
        assertEquals(FileState.SKIPPED, only(report).state());
        assertEquals(300 * KIB, only(report).doneBytes());
        assertEquals(0, only(report).transferredBytes());
        assertEquals(List.of(), source.opens());
    }

    @Test
    void resumeFetchesOnlyWhatTheJournalLacks() throws Exception {
        long size = 1 * MIB;
        source.add("half", size);
        InMemorySink.StoredFile stored = sink.file("half", MIB);
        stored.preload(new ByteRange(0, 200 * KIB));
        stored.preload(new ByteRange(500 * KIB, 800 * KIB));

        DownloadReport report = run(options(), DownloadItem.of("half"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertStoredCorrectly("half", size);
        assertEquals(size - 500 * KIB, only(report).transferredBytes());
        for (ByteRange range : source.openedRanges("half")) {
            assertFalse(range.start() < 200 * KIB || (range.start() < 800 * KIB && range.end() > 500 * KIB),
                    "fetched a range the journal holds: " + range);
        }
        assertTrue(stored.writes().stream().allMatch(w -> w.start() >= 200 * KIB
                && (w.end() <= 500 * KIB || w.start() >= 800 * KIB)), "rewrote done bytes");
    }

    @Test
    void theFirstBytesThatCameWithTheDescriptionAreNotFetchedAgain() throws Exception {
        source.givesFirstBytesWithDescribe().add("small", 100 * KIB).add("big", MIB + 7);

        DownloadReport report = run(options(), DownloadItem.of("small"), DownloadItem.of("big"));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        assertStoredCorrectly("small", 100 * KIB);
        assertStoredCorrectly("big", MIB + 7);
        assertEquals(List.of(new ByteRange(0, 100 * KIB)), source.openedRanges("small"),
                "a file no larger than the first bytes comes whole with its description");
        List<ByteRange> big = source.openedRanges("big");
        assertEquals(new ByteRange(0, FAST.minSplit()), big.get(0));
        for (ByteRange range : big.subList(1, big.size())) {
            assertTrue(range.start() >= FAST.minSplit(), "fetched the first bytes again: " + range);
        }
        assertEquals(MIB + 7, report.files().get(1).transferredBytes());
    }

    @Test
    void noFirstBytesAreAskedForAFileTheSinkMayHoldAlready() throws Exception {
        int size = MIB;
        source.givesFirstBytesWithDescribe().tellsLikelyNames().add("resumed", size).add("complete", 300 * KIB)
                .add("fresh", size).add("id-7", size);
        sink.file("resumed", size).preload(new ByteRange(50 * KIB, 80 * KIB));
        sink.file("complete", 300 * KIB).markComplete(300 * KIB);
        sink.file("named.bin", size).preload(new ByteRange(0, 10 * KIB));

        DownloadReport report = run(options(), DownloadItem.of("resumed"), DownloadItem.of("complete"),
                DownloadItem.of("fresh"),
                new DownloadItem("id-7", Optional.of("named.bin"), Optional.empty(), Optional.empty()));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        ByteRange firstBytes = new ByteRange(0, FAST.minSplit());
        assertFalse(source.openedRanges("resumed").contains(firstBytes), source.openedRanges("resumed").toString());
        assertEquals(List.of(), source.openedRanges("complete"));
        assertEquals(firstBytes, source.openedRanges("fresh").get(0));
        assertFalse(source.openedRanges("id-7").contains(firstBytes), "the manifest's name is looked up");
        assertStoredCorrectly("resumed", size);
        assertStoredCorrectly("fresh", size);
        assertStoredCorrectly("named.bin", size);
    }

    @Test
    void firstBytesThatNoConnectionCanUseAreClosed() throws Exception {
        int size = MIB;
        source.givesFirstBytesWithDescribe().add("resumed", size).add("complete", 300 * KIB).add("sized", 100 * KIB);
        InMemorySink.StoredFile resumed = sink.file("resumed", size);
        resumed.preload(new ByteRange(50 * KIB, 80 * KIB));
        sink.file("complete", 300 * KIB).markComplete(300 * KIB);

        DownloadReport report = run(options(), DownloadItem.of("resumed"), DownloadItem.of("complete"),
                new DownloadItem("sized", Optional.empty(), Optional.of(99L * KIB), Optional.empty()));

        assertEquals(FileState.DONE, report.files().get(0).state(), report.toString());
        assertStoredCorrectly("resumed", size);
        assertTrue(resumed.writes().stream().noneMatch(w -> w.start() < 80 * KIB && w.end() > 50 * KIB),
                "rewrote bytes the journal holds");
        assertEquals(FileState.SKIPPED, report.files().get(1).state());
        assertEquals(FileState.FAILED, report.files().get(2).state());
        // nothingLeaks() checks that the three streams of first bytes were closed.
    }

    @Test
    void rateLimitHoldsAcrossAllConnections() throws Exception {
        long size = 1536 * KIB;
        long rate = 1 * MIB;
        source.add("limited", size);

        long startNanos = System.nanoTime();
        DownloadReport report = run(options("limit-rate", String.valueOf(rate), "connections", "4"),
                DownloadItem.of("limited"));
        double seconds = (System.nanoTime() - startNanos) / 1e9;

        assertEquals(FileState.DONE, only(report).state());
        // Generous: the bucket may start full (a tenth of a second of burst), and machines are slow, not fast.
        assertTrue(size / seconds < rate * 1.5, "rate " + (long) (size / seconds) + " B/s over a limit of " + rate);
    }

    @Test
    void manifestSizeThatDiffersFromTheSourceFailsTheFile() throws Exception {
        source.add("sized", 100 * KIB);

        DownloadReport report = run(options(), new DownloadItem("sized", Optional.empty(), Optional.of(99L * KIB),
                Optional.empty()));

        assertEquals(FileState.FAILED, only(report).state());
        assertTrue(only(report).error().orElseThrow().contains("size mismatch"), only(report).error().orElseThrow());
        assertEquals(List.of(), source.opens());
    }

    @Test
    void manifestNameAndMd5OverrideTheSources() throws Exception {
        source.add("id-1", 100 * KIB).add("id-2", 100 * KIB);
        String rightMd5 = InMemorySource.md5Of(100 * KIB).toUpperCase(java.util.Locale.ROOT);

        DownloadReport report = run(options(),
                new DownloadItem("id-1", Optional.of("renamed.bin"), Optional.of(100L * KIB), Optional.of(rightMd5)),
                new DownloadItem("id-2", Optional.empty(), Optional.empty(), Optional.of("0123456789abcdef0123456789abcdef")));

        assertEquals(FileState.DONE, report.files().get(0).state(), report.toString());
        assertEquals("renamed.bin", report.files().get(0).name());
        assertStoredCorrectly("renamed.bin", 100 * KIB);
        FileStatus wrong = report.files().get(1);
        assertEquals(FileState.FAILED, wrong.state());
        assertTrue(wrong.error().orElseThrow().contains("md5 mismatch"), wrong.error().orElseThrow());
        assertEquals(ExitCode.FAILURE, report.exitCode());
    }

    @Test
    void resourceWithoutRangeSupportIsOneStreamFromTheStartAndRestartsAfterABreak() throws Exception {
        long size = 700 * KIB;
        source.add("whole", size, true, false).cutAt("whole", 300 * KIB, 1);

        DownloadReport report = run(options("connections", "8"), DownloadItem.of("whole"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertStoredCorrectly("whole", size);
        assertEquals(List.of(new ByteRange(0, size), new ByteRange(0, size)), source.openedRanges("whole"));
        assertEquals(size, only(report).transferredBytes(), "the bytes before the break are skipped, not rewritten");
    }

    @Test
    void resumeWithoutRangeSupportSkipsDoneBytesOnOneStream() throws Exception {
        long size = 700 * KIB;
        source.add("gaps", size, true, false);
        InMemorySink.StoredFile stored = sink.file("gaps", (int) size);
        stored.preload(new ByteRange(100 * KIB, 200 * KIB));
        stored.preload(new ByteRange(300 * KIB, 400 * KIB));

        DownloadReport report = run(options(), DownloadItem.of("gaps"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertStoredCorrectly("gaps", size);
        assertEquals(List.of(new ByteRange(0, size)), source.openedRanges("gaps"), "one stream for all the gaps");
        assertEquals(size - 200 * KIB, only(report).transferredBytes());
    }

    @Test
    void resourceOfUnknownSizeIsReadToItsEnd() throws Exception {
        long size = 333 * KIB + 3;
        source.add("stream", size, false, false);

        DownloadReport report = run(options(), DownloadItem.of("stream"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertEquals(size, only(report).size());
        assertEquals(List.of(new ByteRange(0, Long.MAX_VALUE)), source.openedRanges("stream"));
        assertStoredCorrectly("stream", size);
    }

    @Test
    void transientDescribeFailureIsRetried() throws Exception {
        source.add("later", 10 * KIB).failDescribe("later", 2, true);

        DownloadReport report = run(options(), DownloadItem.of("later"));

        assertEquals(FileState.DONE, only(report).state(), report.toString());
        assertEquals(3, source.describes());
        assertEquals(2, only(report).retries(), report.toString());
    }

    @Test
    void aFileThatIsRetriedWhileDescribedSaysWhyUntilItRuns() throws Exception {
        source.add("later", 10 * KIB).failDescribe("later", 2, true);
        Set<String> retrying = new LinkedHashSet<>();
        try (Download download = kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("later")),
                options("retries", "3")))) {
            Optional<DownloadReport> report = Optional.empty();
            for (int i = 0; i < 2000 && report.isEmpty(); i++) {
                FileStatus status = download.status().get(0);
                status.retrying().ifPresent(retrying::add);
                assertTrue(status.retrying().isEmpty() || status.state() == FileState.DESCRIBING, status.toString());
                report = download.await(Duration.ofMillis(2));
            }
            assertEquals(FileState.DONE, only(report.orElseThrow()).state());
            assertEquals(Optional.empty(), only(report.orElseThrow()).retrying());
        }
        List<String> seen = List.copyOf(retrying);
        assertEquals(2, seen.size(), seen.toString());
        for (int attempt = 1; attempt <= 2; attempt++) {
            String expected = "attempt " + attempt + " of 4 failed (describe later: injected failure);"
                    + " trying again in ";
            assertTrue(seen.get(attempt - 1).startsWith(expected), seen.get(attempt - 1));
            assertTrue(seen.get(attempt - 1).matches(".* in \\d+\\.\\d s"), seen.get(attempt - 1));
        }
    }

    @Test
    void aRangeThatIsRetriedWhileRunningSaysFromWhereWhyAndWhenUntilItHasAStreamAgain() throws Exception {
        // Waits of 100-200 ms and more between attempts, so that polling sees each one.
        PipelineTuning tuning = new PipelineTuning(Duration.ofMillis(200), Duration.ofMillis(400), 128 * KIB,
                96 * KIB, Duration.ofSeconds(2), 16 * KIB);
        long size = 512 * KIB;
        source.add("jumpy", size).cutAt("jumpy", 100_000, 1).failOpen("jumpy", 300_000, 2, true)
                .throttle("jumpy", 256 * KIB, MIB, 3);   // the last range takes a quarter second once it opens
        Set<String> retrying = new LinkedHashSet<>();
        boolean runningWithoutRetryAfterTheLast = false;
        try (DefaultKernel slowRetries = kernelTunedBy(tuning);
             Download download = slowRetries.startDownload(new DownloadRequest(List.of(DownloadItem.of("jumpy")),
                     options("segment-size", "256K", "connections", "1")))) {
            Optional<DownloadReport> report = Optional.empty();
            for (int i = 0; i < 5000 && report.isEmpty(); i++) {
                FileStatus status = download.status().get(0);
                status.retrying().ifPresent(retrying::add);
                assertTrue(status.retrying().isEmpty() || status.state() == FileState.RUNNING, status.toString());
                runningWithoutRetryAfterTheLast |= retrying.size() == 3 && status.state() == FileState.RUNNING
                        && status.retrying().isEmpty();
                report = download.await(Duration.ofMillis(2));
            }
            assertEquals(FileState.DONE, only(report.orElseThrow()).state());
            assertEquals(Optional.empty(), only(report.orElseThrow()).retrying());
            assertEquals(3, only(report.orElseThrow()).retries(), "every retry counts, seen or not");
        }
        assertStoredCorrectly("jumpy", size);
        List<String> seen = List.copyOf(retrying);
        assertEquals(3, seen.size(), seen.toString());
        assertTrue(seen.get(0).startsWith("from byte 100000: attempt 1 of 4 failed (IOException: connection reset at"
                + " byte 100000 (injected)); trying again in "), seen.get(0));
        for (int attempt = 1; attempt <= 2; attempt++) {
            String expected = "from byte 262144: attempt " + attempt + " of 4 failed (open [262144, 524288): injected"
                    + " failure); trying again in ";
            assertTrue(seen.get(attempt).startsWith(expected), seen.get(attempt));
        }
        for (String line : seen) {
            assertTrue(line.matches(".* in 0\\.[1-4] s"), line);
        }
        assertTrue(runningWithoutRetryAfterTheLast, "the last retry was still shown once its range ran again");
    }

    @Test
    void badOptionsAndUnknownPluginsFailBeforeAnythingIsCreated() {
        DownloadRequest unknownTransport = new DownloadRequest(List.of(DownloadItem.of("x")), options("transport", "carrier-pigeon"));
        UsageException error = assertThrows(UsageException.class, () -> kernel.startDownload(unknownTransport));
        assertEquals("unknown transport 'carrier-pigeon'; known transports: memory", error.getMessage());

        for (String[] bad : List.of(new String[] {"connections", "0"}, new String[] {"segment-size", "1K"},
                new String[] {"retries", "-1"}, new String[] {"parallel-files", "x"}, new String[] {"timeout", "0s"},
                new String[] {"sink", "tape"}, new String[] {"source", "fax"})) {
            DownloadRequest request = new DownloadRequest(List.of(DownloadItem.of("x")), options(bad));
            UsageException badError = assertThrows(UsageException.class, () -> kernel.startDownload(request), bad[0]);
            assertTrue(badError.getMessage().contains(bad[0]) || badError.getMessage().contains(bad[1]), badError.getMessage());
        }
        assertThrows(UsageException.class, () -> kernel.startDownload(new DownloadRequest(List.of(), options())));
        assertEquals(0, plugin.transportsCreated.get());
        assertEquals(0, plugin.sourcesCreated.get());
    }

    @Test
    void cancelStopsStalledConnectionsPromptlyAndKeepsTheJournal() throws Exception {
        long size = 1 * MIB;
        source.add("stuck", size).stallAt("stuck", 64 * KIB, 1);
        Download download = kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("stuck")),
                options("connections", "1", "segment-size", "1M", "timeout", "60s")));
        try {
            waitFor(() -> download.status().get(0).activeConnections() == 1
                    && download.status().get(0).transferredBytes() == 64 * KIB);
            assertTrue(pipelineThreads().contains("parcel-download-stuck-1"), pipelineThreads().toString());
            FileStatus running = download.status().get(0);
            assertEquals(FileState.RUNNING, running.state());

            download.cancel();
            DownloadReport report = download.await(Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("cancel did not stop it"));

            FileStatus file = only(report);
            assertEquals(FileState.FAILED, file.state());
            assertEquals(Optional.of("cancelled"), file.error());
            assertEquals(ExitCode.FAILURE, report.exitCode());
            assertEquals(List.of(new ByteRange(0, 64 * KIB)), sink.file("stuck").journal(), "what arrived is kept");
            assertFalse(sink.file("stuck").complete());
        } finally {
            download.close();
        }
    }

    @Test
    void progressIsRecordedEveryMarkIntervalWhileASegmentIsStillRunning() throws Exception {
        long size = 1 * MIB;
        long stallAt = 640 * KIB;
        source.add("cadence", size).stallAt("cadence", stallAt, 1);
        Download download = kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("cadence")),
                options("connections", "1", "segment-size", "1M", "timeout", "60s")));
        try {
            waitFor(() -> download.status().get(0).transferredBytes() == stallAt);
            // The one segment is far from its end, yet a kill now would lose less than one mark interval (96 KiB).
            waitFor(() -> download.status().get(0).doneBytes() > stallAt - 96 * KIB);
            List<ByteRange> journal = sink.file("cadence").journal();
            assertEquals(1, journal.size(), journal.toString());
            assertEquals(0, journal.get(0).start());
            assertTrue(journal.get(0).end() > stallAt - 96 * KIB && journal.get(0).end() <= stallAt, journal.toString());
            assertEquals(journal.get(0).length(), download.status().get(0).doneBytes());
        } finally {
            download.cancel();
            download.close();
        }
    }

    @Test
    void connectionsHandTheirProgressToTheFilesThreadAndNeverRecordItThemselves() throws Exception {
        long size = 3 * MIB + 17;
        source.add("handed", size);

        DownloadReport report = run(options("connections", "4", "segment-size", "256K"), DownloadItem.of("handed"));

        assertEquals(ExitCode.SUCCESS, report.exitCode(), report.toString());
        assertEquals(size, only(report).doneBytes());
        assertStoredCorrectly("handed", size);
        assertFalse(sink.markingThreads().isEmpty());
        for (String thread : sink.markingThreads()) {
            assertTrue(thread.startsWith("parcel-files-") || thread.startsWith("parcel-download-handed-recorder-"),
                    "a connection recorded its progress itself: " + thread);
        }
    }

    @Test
    void closingTheKernelStopsRunningDownloads() throws Exception {
        source.add("forever", MIB).stallAt("forever", 0, 1);
        Download download = kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("forever")),
                options("connections", "1", "segment-size", "1M", "timeout", "60s")));
        waitFor(() -> download.status().get(0).activeConnections() == 1);

        kernel.close();

        DownloadReport report = download.await(Duration.ZERO).orElseThrow(() -> new AssertionError("still running"));
        assertEquals(FileState.FAILED, only(report).state());
        assertTrue(source.isClosed());
        assertThrows(UsageException.class, () -> kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("x")), options())));
    }

    @Test
    void statusSnapshotsAreConsistentWhileRunning() throws Exception {
        long size = 2 * MIB;
        source.add("watched", size);
        List<FileStatus> seen = new ArrayList<>();
        try (Download download = kernel.startDownload(new DownloadRequest(List.of(DownloadItem.of("watched")),
                options("limit-rate", "4M")))) {
            Optional<DownloadReport> report = Optional.empty();
            for (int i = 0; i < 2000 && report.isEmpty(); i++) {
                seen.add(download.status().get(0));
                report = download.await(Duration.ofMillis(20));
            }
            assertTrue(report.isPresent());
        }
        long lastDone = 0;
        for (FileStatus status : seen) {
            assertTrue(status.doneBytes() >= lastDone, "done bytes went back");
            assertTrue(status.doneBytes() <= Math.max(status.size(), 0) || status.size() < 0, status.toString());
            assertTrue(status.activeConnections() >= 0 && status.activeConnections() <= 4, status.toString());
            lastDone = status.doneBytes();
        }
        assertTrue(seen.stream().anyMatch(status -> status.state() == FileState.RUNNING && status.activeConnections() > 0),
                "never saw it running");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
